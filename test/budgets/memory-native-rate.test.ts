/** The native start budget of one process: FIFO, never more starts in a window than the limit allows (fake clock; the rest: contract.ts). */
import { describe, expect, it } from 'vitest';
import { localNativeRate } from '../../src/budgets/index.js';
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
    const all = Promise.all(Array.from({ length: n }, (_, who) => rate.take().then(() => grants.push({ who, at: clock.now() }))));
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

});
