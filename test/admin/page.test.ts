/**
 * The admin page's HTML on its own: every value escaped (userNames and native values are the outside
 * world's), each app's figures, and the last reconcile report with its differences (a report in the
 * reconcile engine's shape; the engine itself lives in src/reconcile/).
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/admin/html.js';
import { renderAdminPage, type AdminPageModel } from '../../src/admin/page.js';
import type { ReconcileStatusView } from '../../src/admin/reconcile.js';
import { authFailureKind } from '../../src/metrics/auth-reasons.js';
import { RecentActivity } from '../../src/metrics/recent.js';

const report: ReconcileStatusView = {
  app: '15five',
  mode: 'dry-run',
  state: 'done',
  startedAt: '2026-12-01T20:00:00.000Z',
  finishedAt: '2026-12-01T20:00:05.000Z',
  progress: { seen: 3, total: 3 },
  counts: { equal: 1, differs: 1, nativeOnly: 1, gatewayOnly: 0 },
  entries: [
    { kind: 'equal', userName: 'same@acme.example', id: 'u0', nativeId: '1' },
    { kind: 'differs', userName: 'ada@acme.example', id: 'u1', nativeId: '2', fields: [{ path: 'title', native: 'Engineer', gateway: '<b>Countess</b>' }] },
    { kind: 'native-only', userName: 'bob@acme.example', nativeId: '3', adoptable: false, reason: 'no SCIM user has this email' },
  ],
};

function model(overrides: Partial<AdminPageModel> = {}): AdminPageModel {
  return {
    version: '1.2.3',
    metrics: true,
    apps: [{ name: '15five', connector: 'rest', plugin: '15five', dialect: 'entra', auth: 'bearer secret', rateLimit: 10, reconcile: report }],
    search: {},
    ...overrides,
  };
}

describe('the admin page', () => {
  it('shows the last reconcile report with every difference, native beside gateway', () => {
    const html = renderAdminPage(model());
    const section = html.slice(html.indexOf('<section class="reconcile"'));
    expect(section).toContain('dry-run, done');
    expect(section).toContain('1 equal, 1 differ, 1 native only, 0 gateway only');
    expect(section).toContain('<code>title</code>: &quot;Engineer&quot; / &quot;&lt;b&gt;Countess&lt;/b&gt;&quot;');
    expect(section).toContain('not adoptable — no SCIM user has this email');
    expect(section).not.toContain('same@acme.example'); // equal users are counted, not listed
  });

  it('escapes everything it shows, search terms included', () => {
    const html = renderAdminPage(model({ search: { app: '15five', user: '"><script>alert(1)</script>' }, error: '<img src=x>' }));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it("shows an app's recent rates, native API health and rate-budget use", () => {
    let now = 1_000_000;
    const recent = new RecentActivity(() => now);
    for (let i = 0; i < 30; i += 1) recent.request('15five', i < 3 ? 503 : i < 5 ? 404 : 200);
    recent.nativeCall('15five', { operation: 'users.read', method: 'GET', path: '/user/1/', attempt: 1, durationMs: 5, outcome: 'retry', status: 503, rateWaitMs: 40 });
    recent.nativeCall('15five', { operation: 'users.read', method: 'GET', path: '/user/1/', attempt: 2, durationMs: 5, outcome: 'error', status: 503, rateWaitMs: 2 });
    const activity = recent.summary('15five');
    expect(activity).toMatchObject({ requests: 30, serverErrors: 3, clientErrors: 2, nativeCalls: 2, nativeErrors: 1, nativeRetries: 1, rateWaitMs: 42, lastNativeStatus: 503 });
    const html = renderAdminPage(model({ apps: [{ ...model().apps[0]!, activity }] }));
    expect(html).toContain('failing (last status 503)');
    expect(html).toContain('2 (1 retried, 1 failed)');
    expect(html).toContain(`${(2 / 300).toFixed(2)}/s of 10/s`);
    // Five minutes later the window is empty again.
    now += 301_000;
    expect(recent.summary('15five')).toMatchObject({ requests: 0, nativeCalls: 0 });
  });
});

describe('auth failure reasons as metric labels', () => {
  it.each([
    ['no Authorization header', 'missing'],
    ['malformed Bearer token', 'malformed'],
    ['unknown app', 'unknown_app'],
    ['bearer secret does not match (and it is not a JWT)', 'secret_mismatch'],
    ['JWT rejected: ERR_JWT_EXPIRED: "exp" claim timestamp check failed', 'jwt_rejected'],
    ["JWT tenant 1234 is not one of this app's tenants", 'jwt_rejected'],
    ['something new', 'other'],
  ])('%s → %s', (reason, kind) => {
    expect(authFailureKind(reason)).toBe(kind);
  });
});
