/** The native start budget of one process: FIFO, never more starts in a window than the limit allows (fake clock; the rest: contract.ts). */
import { describe, expect, it } from 'vitest';
import { localNativeRate } from '../../src/budgets/index.js';
import { IN_FLIGHT_BOUND_MS } from '../../src/budgets/memory/start-window.js';
import { FakeClock } from '../connectors/http/support.js';
import { busiestWindow, drain } from './support.js';

describe('localNativeRate (unit, fake clock)', () => {
  const rows = [
    { rps: 5, burst: 5, n: 23 },
    { rps: 10, burst: 2, n: 17 },
    { rps: 1, burst: 1, n: 4 },
    { rps: 3, burst: 3, n: 10 },
  ];
  it.each(rows)('rps $rps, burst $burst: $n takers, FIFO, no window over budget', async ({ rps, burst, n }) => {
    const clock = new FakeClock();
    const rate = localNativeRate({ requestsPerSecond: rps, burst }, { clock, signal: new AbortController().signal });
    const grants: { who: number; at: number }[] = [];
    const take = async (who: number) => {
      const ended = await rate.take();
      ended(); // ended at once: counted from its start alone, as the API counts it
      grants.push({ who, at: clock.now() });
    };
    const all = Promise.all(Array.from({ length: n }, (_, who) => take(who)));
    for (;;) {
      await drain();
      if (grants.length === n) break;
      clock.advanceToNext();
    }
    await all;
    const starts = grants.map((g) => g.at);
    expect(grants.map((g) => g.who)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(rps, burst));
    expect(busiestWindow(starts, (burst * 1000) / rps)).toBe(burst);
    // Sustained rate: the last start is no earlier than the budget demands, and no later either.
    expect(starts.at(-1)).toBe(Math.floor((n - 1) / burst) * ((burst * 1000) / rps));
  });

  it('a call counts while in flight and until a window after it ended, however long it took', async () => {
    const clock = new FakeClock();
    const rate = localNativeRate({ requestsPerSecond: 2, burst: 2 }, { clock, signal: new AbortController().signal }); // windows of 1 s
    const first = await rate.take();
    const second = await rate.take();
    second();
    let third: { at: number } | undefined;
    const thirdTaken = rate.take().then((ended) => {
      third = { at: clock.now() };
      return ended;
    });
    await drain();
    expect(third).toBeUndefined();
    // The second ended at 0 and leaves the window at 1,000; the first, still in flight, keeps counting.
    clock.advance(5_000);
    await drain();
    expect(third).toEqual({ at: 5_000 });
    let fourth: { at: number } | undefined;
    const fourthTaken = rate.take().then(() => (fourth = { at: clock.now() }));
    while (clock.now() < 20_000) {
      clock.advanceToNext();
      await drain();
    }
    expect(fourth).toBeUndefined(); // the first and the third are both in flight: the window is full
    first(); // ended at 20,000: counts until 21,000
    (await thirdTaken)();
    for (let i = 0; i < 10 && fourth === undefined; i += 1) {
      clock.advanceToNext();
      await drain();
    }
    await fourthTaken;
    expect(fourth).toEqual({ at: 21_000 });
  });

  it('a call whose end is never recorded counts until its in-flight bound, as in PostgreSQL (not forever)', async () => {
    const clock = new FakeClock();
    const rate = localNativeRate({ requestsPerSecond: 1, burst: 1 }, { clock, signal: new AbortController().signal }); // windows of 1 s
    await rate.take(); // never ended
    let second: { at: number } | undefined;
    const secondTaken = rate.take().then(() => (second = { at: clock.now() }));
    for (let i = 0; i < 1_000 && second === undefined; i += 1) {
      clock.advanceToNext();
      await drain();
    }
    await secondTaken;
    expect(second).toEqual({ at: IN_FLIGHT_BOUND_MS + 1_000 });
  });
});
