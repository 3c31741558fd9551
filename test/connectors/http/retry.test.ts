/** Retry rules: what is repeated, how long the client waits, and what it throws when it stops. */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import type { AttemptFailure } from '../../../src/connectors/http/failure.js';
import { backoffDelayMs, decideRetry, parseRetryAfter } from '../../../src/connectors/http/retry.js';
import { DownstreamError, type HttpMethod, type NativeCallEvent, type NativeClient } from '../../../src/connectors/http/types.js';
import { FakeClock, json, settingsFor, startServer, type TestServer } from './support.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');
  const rows = [
    { value: '0', expected: 0 },
    { value: '120', expected: 120 },
    { value: ' 7 ', expected: 7 },
    { value: '99999999', expected: 86_400 },
    { value: 'Sat, 01 Mar 2025 12:00:30 GMT', expected: 30 },
    { value: 'Sat, 01 Mar 2025 11:00:00 GMT', expected: 0 },
    { value: 'Saturday, 01-Mar-25 12:01:00 GMT', expected: 60 },
    { value: 'Sat Mar  1 12:00:10 2025', expected: 10 },
    { value: '2025-03-01T12:00:30Z', expected: undefined },
    { value: '-5', expected: undefined },
    { value: '1.5', expected: undefined },
    { value: 'soon', expected: undefined },
    { value: '', expected: undefined },
    { value: 'x'.repeat(10_000), expected: undefined },
    { value: undefined, expected: undefined },
  ];
  it.each(rows)('$value → $expected', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  const settings = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
  const rows = [
    { retry: 1, random: 0, expected: 100 },
    { retry: 1, random: 0.999999, expected: 100 },
    { retry: 2, random: 0, expected: 100 },
    { retry: 2, random: 0.5, expected: 150 },
    { retry: 3, random: 1, expected: 400 },
    { retry: 4, random: 1, expected: 800 },
    { retry: 5, random: 1, expected: 1_000 },
    { retry: 60, random: 1, expected: 1_000 },
  ];
  it.each(rows)('retry $retry, random $random → $expected ms', ({ retry, random, expected }) => {
    expect(backoffDelayMs(retry, settings, () => random)).toBeCloseTo(expected, 3);
  });
});

describe('decideRetry', () => {
  const settings = { attempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 };
  const status = (s: number, retryAfterSeconds?: number): AttemptFailure => ({ type: 'status', status: s, retryAfterSeconds });
  const rows: { name: string; failure: AttemptFailure; idempotent: boolean; attempt?: number; expected: boolean }[] = [
    { name: 'GET 500', failure: status(500), idempotent: true, expected: true },
    { name: 'GET 502', failure: status(502), idempotent: true, expected: true },
    { name: 'GET timeout', failure: { type: 'timeout' }, idempotent: true, expected: true },
    { name: 'GET dropped', failure: { type: 'network', notSent: false, cause: null }, idempotent: true, expected: true },
    { name: 'POST 500', failure: status(500), idempotent: false, expected: false },
    { name: 'POST 504', failure: status(504), idempotent: false, expected: false },
    { name: 'POST timeout', failure: { type: 'timeout' }, idempotent: false, expected: false },
    { name: 'POST dropped', failure: { type: 'network', notSent: false, cause: null }, idempotent: false, expected: false },
    { name: 'POST refused connection', failure: { type: 'network', notSent: true, cause: null }, idempotent: false, expected: true },
    { name: 'POST 429', failure: status(429), idempotent: false, expected: true },
    { name: 'POST 503', failure: status(503), idempotent: false, expected: true },
    { name: 'POST 503, Retry-After 5 s = maxDelay', failure: status(503, 5), idempotent: false, expected: true },
    { name: 'POST 503, Retry-After 6 s > maxDelay', failure: status(503, 6), idempotent: false, expected: false },
    { name: 'GET 500, attempts spent', failure: status(500), idempotent: true, attempt: 3, expected: false },
    { name: 'closed', failure: { type: 'closed' }, idempotent: true, expected: false },
  ];
  it.each(rows)('$name → retry $expected', ({ failure, idempotent, attempt, expected }) => {
    expect(decideRetry(failure, { idempotent, attempt: attempt ?? 1, settings }).retry).toBe(expected);
  });

  it('waits max(backoff, Retry-After)', () => {
    expect(decideRetry(status(429, 2), { idempotent: true, attempt: 1, settings, random: () => 0 })).toEqual({ retry: true, waitMs: 2_000 });
    expect(decideRetry(status(429, 0), { idempotent: true, attempt: 2, settings, random: () => 1 })).toEqual({ retry: true, waitMs: 200 });
  });
});

/** A server whose answers follow a script, one step per request; the last step repeats. */
type Step = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop' | 'hang';

describe('against a server', () => {
  let script: Step[] = [];
  /** Index of the first request of the current test in server.seen. */
  let offset = 0;
  let server: TestServer;
  const clients: NativeClient[] = [];
  beforeAll(async () => {
    server = await startServer((req, res, _body, index) => {
      const step = script[Math.min(index - offset, script.length - 1)] ?? { status: 200 };
      if (step === 'drop') req.socket.destroy();
      else if (step !== 'hang') json(res, step.status, step.body ?? { n: index - offset }, step.headers);
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    offset = server.seen.length;
  });
  afterAll(async () => {
    await server.close();
  });

  function run(steps: Step[], method: HttpMethod, extra: { timeoutMs?: number; maxDelayMs?: number } = {}) {
    script = steps;
    const clock = new FakeClock(true);
    const events: NativeCallEvent[] = [];
    const client = createNativeClient(
      settingsFor(server.url, {
        timeoutMs: extra.timeoutMs ?? 5_000,
        retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: extra.maxDelayMs ?? 5_000 },
      }),
      { clock, onCall: (e) => events.push(e) },
    );
    clients.push(client);
    const idempotent = method === 'GET' || method === 'PUT' || method === 'DELETE';
    const result = client.request({ method, path: '/user/', body: method === 'GET' ? undefined : { x: 1 }, idempotent, operation: 'op' });
    return { result, clock, events, requests: () => server.seen.length - offset };
  }

  const recovering: { name: string; steps: Step[]; method: HttpMethod; requests: number; status: number }[] = [
    { name: 'GET retried on 500, then succeeds', steps: [{ status: 500 }, { status: 200 }], method: 'GET', requests: 2, status: 200 },
    { name: 'GET retried after a dropped connection', steps: ['drop', { status: 200 }], method: 'GET', requests: 2, status: 200 },
    { name: 'PUT retried on 502 twice', steps: [{ status: 502 }, { status: 502 }, { status: 200 }], method: 'PUT', requests: 3, status: 200 },
    {
      name: 'POST retried on 503 + Retry-After: 0',
      steps: [{ status: 503, headers: { 'Retry-After': '0' } }, { status: 201 }],
      method: 'POST',
      requests: 2,
      status: 201,
    },
    { name: 'POST retried on 429', steps: [{ status: 429 }, { status: 201 }], method: 'POST', requests: 2, status: 201 },
    { name: 'a 404 is an answer, not retried', steps: [{ status: 404, body: { detail: 'Not found.' } }], method: 'GET', requests: 1, status: 404 },
    { name: 'a 409 to a POST is an answer', steps: [{ status: 409 }], method: 'POST', requests: 1, status: 409 },
  ];
  it.each(recovering)('$name', async ({ steps, method, requests: expected, status }) => {
    const { result, requests } = run(steps, method);
    expect((await result).status).toBe(status);
    expect(requests()).toBe(expected);
  });

  const failing: {
    name: string;
    steps: Step[];
    method: HttpMethod;
    requests: number;
    error: { kind: string; details: Record<string, unknown> };
  }[] = [
    { name: 'POST not retried on 500', steps: [{ status: 500 }], method: 'POST', requests: 1, error: { kind: 'http', details: { status: 500 } } },
    { name: 'POST not retried after a drop', steps: ['drop'], method: 'POST', requests: 1, error: { kind: 'network', details: {} } },
    { name: 'PATCH not retried on 504', steps: [{ status: 504 }], method: 'PATCH', requests: 1, error: { kind: 'http', details: { status: 504 } } },
    { name: 'GET 500 until attempts are spent', steps: [{ status: 500 }], method: 'GET', requests: 3, error: { kind: 'http', details: { status: 500 } } },
    { name: 'GET dropped every time', steps: ['drop'], method: 'GET', requests: 3, error: { kind: 'network', details: {} } },
    {
      name: 'Retry-After beyond maxDelayMs → rate_limited at once',
      steps: [{ status: 429, headers: { 'Retry-After': '120' } }],
      method: 'GET',
      requests: 1,
      error: { kind: 'rate_limited', details: { status: 429, retryAfterSeconds: 120 } },
    },
    {
      name: '503 with a Retry-After date beyond maxDelayMs → unavailable',
      steps: [{ status: 503, headers: { 'Retry-After': new Date(Date.now() + 600_000).toUTCString() } }],
      method: 'POST',
      requests: 1,
      error: { kind: 'unavailable', details: { status: 503 } },
    },
    {
      name: '429 until attempts are spent keeps the last Retry-After',
      steps: [{ status: 429, headers: { 'Retry-After': '1' } }],
      method: 'POST',
      requests: 3,
      error: { kind: 'rate_limited', details: { status: 429, retryAfterSeconds: 1 } },
    },
    {
      name: '503 without Retry-After until attempts are spent',
      steps: [{ status: 503 }],
      method: 'DELETE',
      requests: 3,
      error: { kind: 'unavailable', details: { status: 503, retryAfterSeconds: undefined } },
    },
  ];
  it.each(failing)('$name', async ({ steps, method, requests: expected, error }) => {
    const { result, requests, events } = run(steps, method);
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownstreamError);
    expect(err).toMatchObject({ ...error, details: { operation: 'op', ...error.details } });
    expect(requests()).toBe(expected);
    expect(events.map((e) => e.outcome)).toEqual([...Array(expected - 1).fill('retry'), 'error']);
  });

  it('honours Retry-After when it is longer than the backoff', async () => {
    const { result, clock } = run([{ status: 429, headers: { 'Retry-After': '2' } }, { status: 200 }], 'GET');
    expect((await result).status).toBe(200);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it('backs off exponentially between baseDelayMs and maxDelayMs', async () => {
    const { result, clock } = run([{ status: 500 }], 'GET');
    await result.catch(() => undefined);
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBe(100); // first retry: the window is [base, base]
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(200);
  });

  it('a timed-out GET is retried, then fails with kind timeout', async () => {
    const { result, requests } = run(['hang'], 'GET', { timeoutMs: 150 });
    await expect(result).rejects.toMatchObject({ kind: 'timeout', details: { operation: 'op' } });
    expect(requests()).toBe(3);
  });

  it('a timed-out POST is not retried (the caller searches before retrying)', async () => {
    const { result, requests, events } = run(['hang'], 'POST', { timeoutMs: 150 });
    await expect(result).rejects.toMatchObject({ kind: 'timeout' });
    expect(requests()).toBe(1);
    expect(events.map((e) => e.outcome)).toEqual(['error']);
  });
});

describe('connection refused', () => {
  it('a POST is retried when no connection could be made, then fails with kind network', async () => {
    // A port that was just free: nothing listens there, so connecting is refused before any byte is sent.
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');

    const events: NativeCallEvent[] = [];
    const client = createNativeClient(settingsFor(`http://127.0.0.1:${port}`), { clock: new FakeClock(true), onCall: (e) => events.push(e) });
    const err = await client.request({ method: 'POST', path: '/user/', body: {}, idempotent: false, operation: 'users.create' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network', message: 'native API unreachable' });
    expect(events.map((e) => [e.attempt, e.outcome, e.status])).toEqual([
      [1, 'retry', undefined],
      [2, 'retry', undefined],
      [3, 'error', undefined],
    ]);
    await client.close();
  });
});
