/**
 * Downstream trouble: the native API fails 20% of calls (5xx, 429/503 with Retry-After, dropped
 * connections, answers slower than the timeout — some after doing the work). An Entra-style client that
 * retries what failed must end with every user present natively exactly once, every attribute right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorKind } from '../emulators/index.js';
import { read } from '../support/gateway.js';
import { entraClient } from './entra-client.js';
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
  '15five-scim': [],
};

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

  const provision = (i: number) =>
    entraClient({ call: (path, init) => rig.gw.call(path, init), outcomes, maxAttempts: MAX_ATTEMPTS }).provision(i, `user${i}@acme.example`);

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
