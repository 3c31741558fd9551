/**
 * Switchable faults over real HTTP: each failNext mode, processThenFail, a seeded failRate that replays,
 * the fixed-window rate limit on an injected clock, and each API's own error shape for a refusal.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type FaultMode, type Faults } from './index.js';

let now = 1_000_000;
const emu: Emulator = await startEmulator('15five', { clock: () => now });
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  now = 1_000_000;
});

const auth = () => ({ authorization: emu.credentials.apiKey as string });
/**
 * A request expected to be 'slow' (answered after 60 s) is abandoned after a short client timeout, never
 * waited out; every other request gets a timeout no loaded CI machine comes near.
 */
const SLOW: Faults = { slowMs: 60_000 };
const timeoutFor = (mode?: FaultMode): number => (mode === 'slow' ? 300 : 10_000);

type Outcome = { status: number; retryAfter: string | null; body: unknown } | { error: string };

async function attempt(path: string, init: { method?: string; json?: unknown; timeoutMs?: number } = {}): Promise<Outcome> {
  try {
    const res = await fetch(`${emu.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...auth(), ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(init.timeoutMs ?? timeoutFor()),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

/** 15Five creates users in bulk: a list of one. */
const createUser = (n = 1, timeoutMs?: number) =>
  attempt('/user/bulk/', { method: 'POST', json: [{ email: `u${n}@example.com`, first_name: 'F', last_name: 'L' }], timeoutMs });

describe('failNext', () => {
  it.each<{ mode: FaultMode; expected: Outcome }>([
    { mode: '500', expected: { status: 500, retryAfter: null, body: { detail: 'Internal server error' } } },
    { mode: '503', expected: { status: 503, retryAfter: '7', body: { detail: 'Service unavailable' } } },
    {
      mode: '429',
      expected: { status: 429, retryAfter: '7', body: { detail: 'Request was throttled. Expected available in 7 seconds.' } },
    },
    { mode: 'drop', expected: { error: 'TypeError' } },
    { mode: 'slow', expected: { error: 'TimeoutError' } },
  ])('fails the next requests with $mode, without applying the write, then recovers', async ({ mode, expected }) => {
    emu.setFaults({ ...SLOW, retryAfterSeconds: 7, failNext: { count: 2, with: mode } });
    expect(await createUser(1, timeoutFor(mode))).toEqual(expected);
    expect(await createUser(2, timeoutFor(mode))).toEqual(expected);
    expect(emu.users()).toEqual([]);
    expect(await createUser(3)).toMatchObject({ status: 200 });
    expect(emu.users().map((u) => u.email)).toEqual(['u3@example.com']);
    const statuses = emu.requests().map((r) => r.status);
    const failed = mode === 'drop' || mode === 'slow' ? 0 : Number(mode);
    expect(statuses).toEqual([failed, failed, 200]);
  });
});

describe('processThenFail', () => {
  it.each<{ mode: FaultMode; applied: boolean }>([
    { mode: '500', applied: true },
    { mode: 'drop', applied: true },
    { mode: 'slow', applied: true },
    { mode: '503', applied: false },
    { mode: '429', applied: false },
  ])('$mode: the create happened although the answer failed: $applied', async ({ mode, applied }) => {
    emu.setFaults({ ...SLOW, processThenFail: true, failNext: { count: 1, with: mode } });
    const outcome = await createUser(1, timeoutFor(mode));
    expect('error' in outcome || outcome.status >= 429).toBe(true);
    expect(emu.users().map((u) => u.email)).toEqual(applied ? ['u1@example.com'] : []);
    // 15Five's bulk endpoint creates or updates by email: a retry of an applied create makes no duplicate.
    const retry = await createUser(1);
    expect(retry).toMatchObject({ status: 200 });
    expect(emu.users().map((u) => u.email)).toEqual(['u1@example.com']);
  });
});

describe('failRate', () => {
  const run = async (faults: Faults): Promise<number[]> => {
    emu.reset();
    emu.setFaults(faults);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const outcome = await attempt('/user/');
      statuses.push('status' in outcome ? outcome.status : 0);
    }
    return statuses;
  };

  it('fails the same requests for the same seed, others for another seed', async () => {
    const faults: Faults = { failRate: 0.3, failWith: ['500', '503', '429'], seed: 42 };
    const first = await run(faults);
    const second = await run(faults);
    const other = await run({ ...faults, seed: 7 });
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first).toContain(200);
    expect(first.some((s) => s !== 200)).toBe(true);
    expect(new Set(first)).toEqual(new Set([200, 500, 503, 429]));
  });

  it.each([
    { failRate: 0, expected: [200] },
    { failRate: 1, expected: [500] },
  ])('failRate $failRate fails none or all', async ({ failRate, expected }) => {
    expect(new Set(await run({ failRate }))).toEqual(new Set(expected));
  });
});

describe('rateLimit', () => {
  it('answers 429 above the budget of a fixed 1-second window, with Retry-After', async () => {
    emu.setFaults({ rateLimit: { requestsPerSecond: 2 } });
    now = 5_400;
    expect(await attempt('/user/')).toMatchObject({ status: 200 });
    expect(await attempt('/user/')).toMatchObject({ status: 200 });
    expect(await attempt('/user/')).toEqual({
      status: 429,
      retryAfter: '1',
      body: { detail: 'Request was throttled. Expected available in 1 seconds.' },
    });
    now = 6_000;
    expect(await attempt('/user/')).toMatchObject({ status: 200 });
  });

  it('enforces nothing unless told', async () => {
    for (let i = 0; i < 30; i++) expect(await attempt('/user/')).toMatchObject({ status: 200 });
  });
});

describe('latency, reset and misuse', () => {
  it('still answers correctly with latency added', async () => {
    emu.setFaults({ latencyMs: 20 });
    expect(await createUser()).toMatchObject({ status: 200 });
  });

  it('reset clears records and requests and restores the start-up faults', async () => {
    emu.setFaults({ failRate: 1 });
    await attempt('/user/');
    emu.seedUser({ email: 'a@example.com', first_name: 'A', last_name: 'B' });
    emu.reset();
    expect(emu.users()).toEqual([]);
    expect(emu.requests()).toEqual([]);
    expect(await attempt('/user/')).toMatchObject({ status: 200 });
  });

  it.each<Faults>([
    { failRate: 1.5 },
    { failRate: -0.1 },
    { failWith: [] },
    { failWith: ['418' as FaultMode] },
    { latencyMs: -1 },
    { failNext: { count: 1.5, with: '500' } },
    { rateLimit: { requestsPerSecond: 0 } },
  ])('setFaults(%j) throws', (faults) => {
    expect(() => emu.setFaults(faults)).toThrow(TypeError);
  });
});

describe('refusals in each API’s own shape', () => {
  it.each([
    { kind: 'bamboohr' as const, path: '/employees/directory' },
    { kind: 'hibob' as const, path: '/v1/people/1' },
  ])('$kind answers a 503 with Retry-After in its error format', async ({ kind, path }) => {
    const other = await startEmulator(kind, { faults: { failNext: { count: 1, with: '503' }, retryAfterSeconds: 3 } });
    try {
      const res = await fetch(`${other.url}${path}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      if (kind === 'bamboohr') {
        expect(await res.text()).toBe('');
        expect(res.headers.get('x-bamboohr-error-message')).toBe('Service unavailable');
      } else {
        expect(await res.json()).toEqual({ error: 'Service unavailable' });
      }
    } finally {
      await other.close();
    }
  });
});
