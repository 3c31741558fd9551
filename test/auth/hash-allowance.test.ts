/** What an address the failed-login throttle refuses may still cost: one slow check per interval (fake clock). */
import { describe, expect, it } from 'vitest';
import { HashAllowance } from '../../src/auth/hash-allowance.js';

describe('HashAllowance', () => {
  it('one check per interval per address; addresses are apart; memory is bounded', () => {
    let now = 1_000_000;
    const allowance = new HashAllowance({ intervalMs: 1000, trackedAddresses: 2, now: () => now });
    expect([allowance.take('a'), allowance.take('a'), allowance.take('b')]).toEqual([true, false, true]);
    now += 999;
    expect(allowance.take('a')).toBe(false);
    now += 1;
    expect([allowance.take('a'), allowance.take('a')]).toEqual([true, false]);
    // A third address pushes out the least recent one, which then starts afresh.
    expect(allowance.take('c')).toBe(true);
    expect(allowance.take('b')).toBe(true);
  });

  it.each([{ intervalMs: -1, trackedAddresses: 1 }, { intervalMs: 1000, trackedAddresses: 0 }, { intervalMs: Number.NaN, trackedAddresses: 1 }])('refuses %j', (options) => {
    expect(() => new HashAllowance(options)).toThrow();
  });
});
