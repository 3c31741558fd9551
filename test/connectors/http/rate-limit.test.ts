/** The per-app budget: never more starts per window than allowed, never more in flight, first come first served (the start window itself: test/budgets/). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { Semaphore } from '../../../src/connectors/http/rate-limit.js';
import { captureLog, FakeClock, json, settingsFor, startServer, tick, until, type TestServer } from './support.js';

import { busiestWindow, drain } from '../../budgets/support.js';

describe('Semaphore (unit)', () => {
  it('hands released slots to waiters in arrival order, never more than the limit', async () => {
    const semaphore = new Semaphore(2);
    let held = 0;
    let maxHeld = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const all = Array.from({ length: 6 }, (_, who) =>
      semaphore.acquire().then((release) => {
        held += 1;
        maxHeld = Math.max(maxHeld, held);
        order.push(who);
        releases.push(() => {
          held -= 1;
          release();
          release(); // a second call must not free a second slot
        });
      }),
    );
    await drain();
    expect(order).toEqual([0, 1]);
    while (releases.length > 0) {
      releases.shift()?.();
      await drain();
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(maxHeld).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (limit) => {
    expect(() => new Semaphore(limit)).toThrow(TypeError);
  });
});

describe('through the client, against a server that counts', () => {
  let server: TestServer;
  let clock: FakeClock;
  let inFlight = 0;
  let maxInFlight = 0;
  let arrivals: { path: string; at: number }[] = [];
  /** How long the server holds each request, in simulated ms. */
  let holdMs = 0;
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      arrivals.push({ path: req.url ?? '', at: clock.now() });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(holdMs);
      inFlight -= 1;
      json(res, 200, {});
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const rows = [
    { name: 'rate-bound', rps: 5, burst: undefined, concurrency: 3, hold: 300, n: 23 },
    { name: 'concurrency-bound', rps: 50, burst: undefined, concurrency: 2, hold: 100, n: 15 },
    { name: 'small burst', rps: 10, burst: 2, concurrency: 10, hold: 50, n: 17 },
  ];
  it.each(rows)('$name: rps $rps, burst $burst, concurrency $concurrency, $n concurrent requests', async ({ rps, burst, concurrency, hold, n }) => {
    clock = new FakeClock();
    holdMs = hold;
    inFlight = 0;
    maxInFlight = 0;
    arrivals = [];
    const { lines, log } = captureLog();
    const client = createNativeClient(settingsFor(server.url, { rateLimit: { requestsPerSecond: rps, burst, concurrency } }), { clock, log });
    const started = () => lines.filter((l) => l.msg === 'native request').length;

    let finished = false;
    const all = Promise.all(
      Array.from({ length: n }, (_, i) => client.request({ method: 'GET', path: `/items/${i}`, idempotent: true, operation: 'items.get' })),
    ).finally(() => {
      finished = true;
    });
    // Simulated time moves only while no request is on its way to the server, so each arrival is
    // stamped with the simulated time at which the client let it go.
    while (!finished) {
      await until(() => finished || started() === arrivals.length);
      if (finished) break;
      if (clock.pendingSleeps > 0 && started() === arrivals.length) clock.advanceToNext();
      else await tick();
    }
    const responses = await all;

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(arrivals).toHaveLength(n);
    const starts = arrivals.map((a) => a.at);
    const effectiveBurst = burst ?? rps;
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(rps, effectiveBurst));
    expect(busiestWindow(starts, (effectiveBurst * 1000) / rps)).toBeLessThanOrEqual(effectiveBurst);
    expect(maxInFlight).toBeLessThanOrEqual(concurrency);
    // The budget was actually reached, so the bounds above were tested, not idle (a call counts until a
    // window after it ended, so with long calls a second may see fewer than rps starts: the window is full).
    expect(maxInFlight === concurrency || busiestWindow(starts, (effectiveBurst * 1000) / rps) === effectiveBurst).toBe(true);
    // First come, first served: the client let the requests go in the order they were made.
    const startOrder = lines.filter((l) => l.msg === 'native request').map((l) => (l.obj as { path: string }).path);
    expect(startOrder).toEqual(Array.from({ length: n }, (_, i) => `/items/${i}`));
    await client.close();
  });
});
