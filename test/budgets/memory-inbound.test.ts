/** The in-memory failure throttle and per-app token bucket, on an injected clock. */
import { describe, expect, it } from 'vitest';
import { MemoryInboundRate } from '../../src/budgets/memory/app-rate.js';
import { MemoryAuthFailures } from '../../src/budgets/memory/auth-failures.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryAuthFailures', () => {
  it('blocks an address at maxFailures until its window ends, counting each address apart', async () => {
    const c = clock();
    const t = new MemoryAuthFailures({ maxFailures: 3, windowSeconds: 60, trackedAddresses: 100 }, c.now);
    for (let i = 0; i < 2; i += 1) await t.failed('10.0.0.1');
    expect(await t.blockedFor('10.0.0.1')).toBe(0);
    await t.failed('10.0.0.1');
    expect(await t.blockedFor('10.0.0.1')).toBe(60);
    expect(await t.blockedFor('10.0.0.2')).toBe(0);
    c.advance(59_500);
    expect(await t.blockedFor('10.0.0.1')).toBe(1);
    c.advance(500);
    expect(await t.blockedFor('10.0.0.1')).toBe(0);
    await t.failed('10.0.0.1');
    expect(await t.blockedFor('10.0.0.1')).toBe(0);
  });

  it('failed() answers 0 while the address had failures left, else the seconds its window has left', async () => {
    const c = clock();
    const t = new MemoryAuthFailures({ maxFailures: 2, windowSeconds: 30, trackedAddresses: 100 }, c.now);
    expect([await t.failed('a'), await t.failed('a')]).toEqual([0, 0]);
    c.advance(10_000);
    expect(await t.failed('a')).toBe(20);
    c.advance(20_000);
    expect(await t.failed('a')).toBe(0);
  });

  it('the window starts at the first failure, not the last (no sliding lockout)', async () => {
    const c = clock();
    const t = new MemoryAuthFailures({ maxFailures: 2, windowSeconds: 10, trackedAddresses: 100 }, c.now);
    await t.failed('a');
    c.advance(9_000);
    await t.failed('a');
    expect(await t.blockedFor('a')).toBe(1);
    c.advance(1_000);
    expect(await t.blockedFor('a')).toBe(0);
  });

  it('memory is bounded: the least recently failing addresses are forgotten', async () => {
    const t = new MemoryAuthFailures({ maxFailures: 1, windowSeconds: 60, trackedAddresses: 100 }, clock().now);
    for (let i = 0; i < 150; i += 1) await t.failed(`addr-${i}`);
    expect(await t.blockedFor('addr-0')).toBe(0);
    expect(await t.blockedFor('addr-149')).toBe(60);
  });
});

describe('MemoryInboundRate (token bucket per app)', () => {
  it('allows the burst, then one request per 1/rate seconds, and says how long to wait', async () => {
    const c = clock();
    const limiter = new MemoryInboundRate((app) => (app === 'slow' ? { requestsPerSecond: 0.5, burst: 2 } : { requestsPerSecond: 100, burst: 100 }), c.now);
    expect([await limiter.take('slow'), await limiter.take('slow')]).toEqual([0, 0]);
    expect(await limiter.take('slow')).toBe(2);
    expect(await limiter.take('other')).toBe(0);
    c.advance(1_000);
    expect(await limiter.take('slow')).toBe(1);
    c.advance(1_000);
    expect(await limiter.take('slow')).toBe(0);
    expect(await limiter.take('slow')).toBe(2);
    c.advance(60_000);
    expect([await limiter.take('slow'), await limiter.take('slow'), await limiter.take('slow')]).toEqual([0, 0, 2]);
  });
});
