/**
 * Downstream trouble: the native API fails 20% of calls (5xx, 429/503 with Retry-After, dropped
 * connections, answers slower than the timeout — some after doing the work). An Entra-style client that
 * retries what failed must end with every user present natively exactly once, every attribute right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorKind } from '../emulators/index.js';
import { ENTERPRISE, patchOp, read, USER_SCHEMA } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

const USERS = 24;
const CONCURRENCY = 4;
const MAX_ATTEMPTS = 40;

/** Fast timeouts and retries so the run stays short; the same YAML keys an operator would tune. */
const FAST: Record<EmulatorKind, [string, string][]> = {
  '15five': [
    ['timeoutMs: 10000', 'timeoutMs: 400'],
    ['retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }', 'retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 }'],
    ['rateLimit: { requestsPerSecond: 10, concurrency: 4 }', 'rateLimit: { requestsPerSecond: 500, concurrency: 8 }'],
  ],
  bamboohr: [
    ['timeoutMs: 10000', 'timeoutMs: 400'],
    ['retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10000 }', 'retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 }'],
    ['rateLimit: { requestsPerSecond: 5, concurrency: 2 }', 'rateLimit: { requestsPerSecond: 500, concurrency: 8 }'],
  ],
  hibob: [],
  personio: [],
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['15five', 'bamboohr'] as const)('plugin %s with a native API failing 20% of calls', (kind) => {
  let rig: Rig;
  const outcomes: number[] = [];
  beforeAll(async () => {
    rig = await startRig(kind, {
      pluginEdits: FAST[kind],
      faults: {
        failRate: 0.2,
        failWith: ['500', '503', '429', 'drop', 'slow'],
        retryAfterSeconds: 1,
        slowMs: 1500,
        processThenFail: true,
        seed: 7,
      },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** Retries until the call answers one of `ok`, like Entra's provisioning service does across cycles. */
  async function untilOk(send: () => Promise<Response>, ok: number[]) {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const res = await read(await send());
      outcomes.push(res.status);
      if (ok.includes(res.status)) return res;
      // Never a 500 from the gateway itself: downstream trouble is 429/502/503/504.
      expect([409, 429, 502, 503, 504], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 429 || res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      await pause(5);
    }
    throw new Error('gave up');
  }

  async function provision(i: number): Promise<void> {
    const userName = `user${i}@acme.example`;
    const filter = `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
    let id: string | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !id; attempt += 1) {
      const found = await untilOk(() => rig.gw.call(filter), [200]);
      if (found.body.totalResults === 1) {
        id = found.body.Resources[0].id;
        break;
      }
      const created = await untilOk(
        () =>
          rig.gw.call('/Users', {
            method: 'POST',
            json: {
              schemas: [USER_SCHEMA, ENTERPRISE],
              userName,
              name: { givenName: `Given${i}`, familyName: `Family${i}` },
              emails: [{ value: userName, type: 'work', primary: true }],
              [ENTERPRISE]: { employeeNumber: `N${i}` },
            },
          }),
        [201, 409],
      );
      if (created.status === 201) id = created.body.id;
    }
    expect(id).toBeDefined();
    await untilOk(() => rig.gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'title', value: `Title ${i}` }) }), [200]);
    if (i % 3 === 0) {
      await untilOk(() => rig.gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'active', value: 'False' }) }), [200]);
    }
  }

  it('ends with every user present exactly once natively, every attribute right', async () => {
    const queue = Array.from({ length: USERS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await provision(i);
      }),
    );
    // The faults really happened, and some reached the client as SCIM errors it retried.
    expect(outcomes.filter((s) => s >= 400).length).toBeGreaterThan(0);
    expect(rig.emu.requests().filter((r) => r.status === 0 || r.status >= 429).length).toBeGreaterThan(USERS / 4);

    const natives = rig.emu.users();
    expect(natives).toHaveLength(USERS);
    for (let i = 0; i < USERS; i += 1) {
      const email = `user${i}@acme.example`;
      const mine = natives.filter((n) => (kind === '15five' ? n.email : n.workEmail) === email);
      expect(mine, email).toHaveLength(1);
      const n = mine[0]!;
      if (kind === '15five') {
        expect([n.first_name, n.last_name, n.title, n.employee_id, n.is_active]).toEqual([`Given${i}`, `Family${i}`, `Title ${i}`, `N${i}`, i % 3 !== 0]);
      } else {
        expect([n.firstName, n.lastName, n.jobTitle, n.employeeNumber, n.status]).toEqual([
          `Given${i}`,
          `Family${i}`,
          `Title ${i}`,
          `N${i}`,
          i % 3 !== 0 ? 'Active' : 'Inactive',
        ]);
      }
    }
    // And the gateway holds each exactly once, linked to its native record.
    const scim = await read(await rig.gw.call(`/Users?count=1000`));
    expect(scim.body.totalResults).toBe(USERS);
  });
});
