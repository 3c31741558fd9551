/** The failure throttle and the per-app token bucket, on an injected clock. */
import { describe, expect, it } from 'vitest';
import { FailedAuthThrottle } from '../../src/auth/failure-throttle.js';
import { AppRateLimiter } from '../../src/auth/rate-limiter.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('FailedAuthThrottle', () => {
  it('blocks an address at maxFailures until its window ends, counting each address apart', () => {
    const c = clock();
    const t = new FailedAuthThrottle({ maxFailures: 3, windowSeconds: 60, trackedAddresses: 100, now: c.now });
    for (let i = 0; i < 2; i += 1) t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(60);
    expect(t.blockedFor('10.0.0.2')).toBe(0);
    c.advance(59_500);
    expect(t.blockedFor('10.0.0.1')).toBe(1);
    c.advance(500);
    expect(t.blockedFor('10.0.0.1')).toBe(0);
    t.recordFailure('10.0.0.1');
    expect(t.blockedFor('10.0.0.1')).toBe(0);
  });

  it('the window starts at the first failure, not the last (no sliding lockout)', () => {
    const c = clock();
    const t = new FailedAuthThrottle({ maxFailures: 2, windowSeconds: 10, trackedAddresses: 100, now: c.now });
    t.recordFailure('a');
    c.advance(9_000);
    t.recordFailure('a');
    expect(t.blockedFor('a')).toBe(1);
    c.advance(1_000);
    expect(t.blockedFor('a')).toBe(0);
  });

  it('memory is bounded: the least recently failing addresses are forgotten', () => {
    const t = new FailedAuthThrottle({ maxFailures: 1, windowSeconds: 60, trackedAddresses: 100, now: clock().now });
    for (let i = 0; i < 150; i += 1) t.recordFailure(`addr-${i}`);
    expect(t.blockedFor('addr-0')).toBe(0);
    expect(t.blockedFor('addr-149')).toBe(60);
  });
});

describe('AppRateLimiter (token bucket per app)', () => {
  it('allows the burst, then one request per 1/rate seconds, and says how long to wait', () => {
    const c = clock();
    const limiter = new AppRateLimiter((app) => (app === 'slow' ? { requestsPerSecond: 0.5, burst: 2 } : { requestsPerSecond: 100, burst: 100 }), c.now);
    expect([limiter.take('slow'), limiter.take('slow')]).toEqual([0, 0]);
    expect(limiter.take('slow')).toBe(2);
    expect(limiter.take('other')).toBe(0);
    c.advance(1_000);
    expect(limiter.take('slow')).toBe(1);
    c.advance(1_000);
    expect(limiter.take('slow')).toBe(0);
    expect(limiter.take('slow')).toBe(2);
    c.advance(60_000);
    expect([limiter.take('slow'), limiter.take('slow'), limiter.take('slow')]).toEqual([0, 0, 2]);
  });
});
