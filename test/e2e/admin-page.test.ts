/**
 * The admin page in a real browser: `npm run demo` (the four emulators and the gateway, as a newcomer
 * starts them), some Entra-shaped traffic on the 15five app, then Debian's chromium driven by
 * playwright-core clicks through /admin: the apps table, the search for a deleted user's timeline, the
 * report of a reconcile started on the admin listener (drift and a native-only user made in the emulator).
 * `.ci/run` installs chromium; elsewhere the test is skipped when no chromium is found.
 * ADMIN_SCREENSHOT=docs/admin.png also saves the page as the README shows it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchOp, USER_SCHEMA } from '../support/gateway.js';
import { exited, freePort } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'demo-token-0123456789';
const CHROMIUM = process.env.CHROMIUM_PATH ?? (spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim() || undefined);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// In CI the browser is installed by .ci/run: a missing one there is a failure, not a skip.
describe.skipIf(!CHROMIUM && process.env.CI !== 'true')('the admin page in chromium, against npm run demo', () => {
  let demo: ChildProcess;
  let browser: Browser;
  let dataDir: string;
  let scim: string;
  let admin: string;
  let output = '';

  const call = (path: string, init: { method?: string; json?: unknown; token?: string } = {}) =>
    fetch(`${scim}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${init.token ?? TOKEN}`, 'Content-Type': 'application/scim+json' },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });

  beforeAll(async () => {
    const [port, adminPort, ...ports] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-admin-page-'));
    demo = spawn(process.execPath, [join(ROOT, 'dist/test/emulators/demo.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', SCIM_BRIDGE_TOKEN: TOKEN, PORT: String(port), DEMO_PORTS: ports.join(','), SCIM_BRIDGE_DATA_DIR: dataDir, SCIM_BRIDGE_ADMIN_LISTEN: `127.0.0.1:${adminPort}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    demo.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    scim = `http://127.0.0.1:${port}/apps/15five/scim/v2`;
    admin = `http://127.0.0.1:${adminPort}`;
    for (let i = 0; ; i += 1) {
      const up = await fetch(`${admin}/admin`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 300 || demo.exitCode !== null) throw new Error(`the demo did not start:\n${output}`);
      await pause(100);
    }
    // Entra's traffic: a user created, changed, deleted; a refused credential.
    const created = await call('/Users', {
      method: 'POST',
      json: { schemas: [USER_SCHEMA], userName: 'ada@acme.example', name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: 'ada@acme.example', type: 'work', primary: true }] },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'title', value: 'Countess' }) })).status).toBe(200);
    expect((await call(`/Users/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('/Users', { token: 'wrong-token-0123456789' })).status).toBe(401);
    // Drift for the reconcile report: Grace's title changed in 15Five, and a user 15Five has but Entra never sent.
    const grace = await call('/Users', {
      method: 'POST',
      json: { schemas: [USER_SCHEMA], userName: 'grace@acme.example', title: 'Admiral', name: { givenName: 'Grace', familyName: 'Hopper' }, emails: [{ value: 'grace@acme.example', type: 'work', primary: true }] },
    });
    expect(grace.status).toBe(201);
    const native = `http://127.0.0.1:${ports[0]}/api/public`;
    const nativeHeaders = { Authorization: 'emulator-15five-key', 'Content-Type': 'application/json' };
    const found = (await (await fetch(`${native}/user/?email=grace%40acme.example`, { headers: nativeHeaders })).json()) as { results: { id: number }[] };
    expect((await fetch(`${native}/user/${found.results[0]!.id}/`, { method: 'PUT', headers: nativeHeaders, body: JSON.stringify({ title: 'Rear Admiral' }) })).ok).toBe(true);
    const seeded = await fetch(`${native}/user/bulk/`, { method: 'POST', headers: nativeHeaders, body: JSON.stringify([{ email: 'dora@acme.example', first_name: 'Dora', last_name: 'Native', is_active: true }]) });
    expect(seeded.ok).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await exited(demo);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows every app, the timeline of a deleted user found with the search box, and the last reconcile report', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${admin}/admin`);
    expect(await page.title()).toBe('scim-bridge admin');
    const rows = page.locator('#apps tr[data-app]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-app')))).toStrictEqual(['15five', 'bamboohr', 'hibob', 'personio', '15five-scim']);
    const fifteen = page.locator('#apps tr[data-app="15five"] td');
    expect(await fifteen.allInnerTexts()).toEqual([
      '15five',
      'rest (15five)',
      'bearer secret',
      'entra',
      expect.stringMatching(/^4 \(/), // Ada's create, patch, delete; Grace's create
      '0',
      '0',
      expect.stringMatching(/^\d+ \(0 retried, 0 failed\)$/),
      expect.stringMatching(/^ok \(last status 2\d\d\)$/),
      expect.stringMatching(/\/s of \d+\/s \(/),
    ]);

    // The search box: the app, a userName in another case, since one day.
    await page.selectOption('select[name="app"]', '15five');
    await page.fill('input[name="user"]', 'ADA@acme.example');
    await page.fill('input[name="since"]', '1d');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#timeline');
    expect(new URL(page.url()).searchParams.get('user')).toBe('ADA@acme.example');
    const entries = await page.locator('#timeline tr.entry').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ')));
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => /(create|patch|delete) User/.exec(e)?.[1])).toStrictEqual(['create', 'patch', 'delete']);
    for (const entry of entries) expect(entry).toContain('ada@acme.example');
    const steps = await page.locator('#timeline tr.step').allInnerTexts();
    expect(steps.some((s) => s.includes('native users.create'))).toBe(true);
    expect(await page.locator('text=No reconcile report yet.').count()).toBe(1);

    // A dry-run reconcile started on the admin listener; its report then shows on the page.
    expect((await fetch(`${admin}/admin/reconcile/15five?mode=dry-run`, { method: 'POST' })).status).toBe(202);
    for (let i = 0; ; i += 1) {
      const status = (await (await fetch(`${admin}/admin/reconcile/15five`)).json()) as { state: string };
      if (status.state !== 'running') break;
      if (i > 200) throw new Error('reconcile did not finish');
      await pause(50);
    }
    await page.goto(`${admin}/admin`);
    const report = page.locator('section.reconcile[data-app="15five"]');
    const summary = await report.locator('p').innerText();
    expect(summary).toMatch(/dry-run, done/);
    // Native only: Dora, and Ada — deleted through the gateway, deactivated in 15Five (the plugin's delete mode).
    expect(summary).toMatch(/1 differ, 2 native only, 0 gateway only/);
    const differences = await report.locator('tr').allInnerTexts();
    expect(differences.find((r) => r.includes('grace@acme.example'))).toMatch(/title: "Rear Admiral" \/ "Admiral"/);
    expect(differences.find((r) => r.includes('dora@acme.example'))).toMatch(/^native-only/);

    // A search for nobody says so; the link to the metrics works.
    await page.fill('input[name="user"]', 'nobody@acme.example');
    await page.click('button[type="submit"]');
    expect(await page.locator('#timeline').innerText()).toContain('Nothing recorded for nobody@acme.example');
    await page.click('a[href="/metrics"]');
    expect(await page.locator('body').innerText()).toContain('scim_bridge_auth_failures_total{app="15five",reason="secret_mismatch"} 1');

    if (process.env.ADMIN_SCREENSHOT) {
      await page.goto(`${admin}/admin?app=15five&user=ada%40acme.example&since=1d`);
      await page.screenshot({ path: resolve(ROOT, process.env.ADMIN_SCREENSHOT), fullPage: true });
    }
    await page.close();
  });
});
