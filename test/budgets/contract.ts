/**
 * The budgets contract: the in-memory and the PostgreSQL budgets run this suite unchanged, on real time
 * (the shared budgets decide on the database's clock, which no test can freeze). Every bound is derived
 * from the configured rate, with slack only in the direction that cannot hide a broken budget. Each test
 * uses keys of its own, so the factory may hand out budgets on one shared schema.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Budgets, BudgetSettings, NativeRate, Rate } from '../../src/budgets/index.js';
import { systemClock } from '../../src/connectors/http/clock.js';

export type OpenBudgets = (settings: BudgetSettings) => Budgets;

const key = (what: string): string => `${what}-${randomUUID()}`;

function settings(apps: Record<string, Rate> = {}, failedAuth: Partial<BudgetSettings['failedAuth']> = {}): BudgetSettings {
  return {
    failedAuth: { maxFailures: 3, windowSeconds: 3600, trackedAddresses: 1000, ...failedAuth },
    appRateLimit: { requestsPerSecond: 1000, burst: 1000, apps },
  };
}

export function runBudgetContract(name: string, open: OpenBudgets, cleanup: () => Promise<unknown> = async () => {}): void {
  describe(`budgets contract: ${name}`, () => {
    const opened: Budgets[] = [];
    const make = async (s: BudgetSettings): Promise<Budgets> => {
      const budgets = open(s);
      opened.push(budgets);
      await budgets.ready();
      return budgets;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });
    afterAll(cleanup);

    describe('inbound rate', () => {
      it('grants the burst, then refuses with the seconds until a token is back; apps are apart', async () => {
        const slow = key('slow');
        const other = key('other');
        const budgets = await make(settings({ [slow]: { requestsPerSecond: 0.001, burst: 3 } }));
        const taken = [];
        for (let i = 0; i < 4; i += 1) taken.push(await budgets.inboundRate.take(slow));
        expect(taken.slice(0, 3)).toEqual([0, 0, 0]);
        // One token at 0.001/s takes 1000 s to come back, less what trickled in meanwhile.
        expect(taken[3]).toBeGreaterThan(990);
        expect(taken[3]).toBeLessThanOrEqual(1000);
        expect(await budgets.inboundRate.take(other)).toBe(0);
      });

      it('refills continuously at the configured rate', async () => {
        const app = key('refill');
        const budgets = await make(settings({ [app]: { requestsPerSecond: 10, burst: 1 } }));
        expect(await budgets.inboundRate.take(app)).toBe(0);
        expect(await budgets.inboundRate.take(app)).toBe(1);
        await sleep(150); // a token every 100 ms
        expect(await budgets.inboundRate.take(app)).toBe(0);
      });

      it('concurrent requests never get more than burst + rate × elapsed, and do get the burst', async () => {
        const app = key('crowd');
        const rate = { requestsPerSecond: 200, burst: 20 };
        const budgets = await make(settings({ [app]: rate }));
        const started = performance.now();
        const answers = await Promise.all(Array.from({ length: 60 }, () => budgets.inboundRate.take(app)));
        const elapsedS = (performance.now() - started) / 1000;
        const granted = answers.filter((a) => a === 0).length;
        expect(granted).toBeGreaterThanOrEqual(rate.burst);
        expect(granted).toBeLessThanOrEqual(rate.burst + Math.floor(rate.requestsPerSecond * elapsedS) + 1);
        expect(answers.every((a) => a === 0 || a === 1)).toBe(true);
      });
    });

    describe('failed-login throttle', () => {
      it('refuses an address that used up its failures until the window ends; other addresses are apart', async () => {
        const budgets = await make(settings({}, { maxFailures: 3, windowSeconds: 3600 }));
        const address = key('10.0.0.1');
        const answers = [];
        for (let i = 0; i < 3; i += 1) answers.push(await budgets.authFailures.failed(address));
        expect(answers).toEqual([0, 0, 0]);
        const blocked = await budgets.authFailures.blockedFor(address);
        expect(blocked).toBeGreaterThan(3590);
        expect(blocked).toBeLessThanOrEqual(3600);
        const refused = await budgets.authFailures.failed(address);
        expect(refused).toBeGreaterThan(3590);
        expect(refused).toBeLessThanOrEqual(3600);
        expect(await budgets.authFailures.blockedFor(key('10.0.0.2'))).toBe(0);
      });

      it('a window that ended forgets its failures (the window starts at the first failure)', async () => {
        const budgets = await make(settings({}, { maxFailures: 1, windowSeconds: 1 }));
        const address = key('10.0.0.3');
        expect(await budgets.authFailures.failed(address)).toBe(0);
        expect(await budgets.authFailures.failed(address)).toBe(1);
        expect(await budgets.authFailures.blockedFor(address)).toBe(1);
        await sleep(1100);
        expect(await budgets.authFailures.blockedFor(address)).toBe(0);
        expect(await budgets.authFailures.failed(address)).toBe(0);
      });

      it('concurrent failures are each counted once: exactly those past the limit are refused', async () => {
        const budgets = await make(settings({}, { maxFailures: 10 }));
        const address = key('10.0.0.4');
        const answers = await Promise.all(Array.from({ length: 30 }, () => budgets.authFailures.failed(address)));
        expect(answers.filter((a) => a > 0)).toHaveLength(20);
      });
    });

    describe('native rate', () => {
      it('rates of one key share the budget: burst starts at once, then one window per burst', async () => {
        const budgets = await make(settings());
        const app = key('native');
        const lifecycle = new AbortController();
        const limit = { requestsPerSecond: 4, burst: 2 }; // windows of 500 ms
        const waiting = { clock: systemClock, signal: lifecycle.signal };
        const rates = [budgets.nativeRate(app, limit, waiting), budgets.nativeRate(app, limit, waiting)];
        const started = performance.now();
        const at: number[] = [];
        const take = async (rate: NativeRate) => {
          const ended = await rate.take();
          ended(); // ended at once: counted from its start, as the API counts it
          at.push(performance.now() - started);
        };
        await Promise.all(Array.from({ length: 6 }, (_, i) => take(rates[i % 2]!)));
        at.sort((a, b) => a - b);
        // 2 at once, 2 after one window, 2 after two: never sooner (a little slack for timer rounding).
        expect(at[2]).toBeGreaterThanOrEqual(490);
        expect(at[4]).toBeGreaterThanOrEqual(990);
        lifecycle.abort();
      });

      it('a call counts while in flight and until a window after it ended', async () => {
        const budgets = await make(settings());
        const lifecycle = new AbortController();
        const limit = { requestsPerSecond: 10, burst: 1 }; // windows of 100 ms
        const rate = budgets.nativeRate(key('in-flight'), limit, { clock: systemClock, signal: lifecycle.signal });
        const ended = await rate.take();
        const granted = performance.now();
        let secondAt: number | undefined;
        const second = rate.take().then((end) => {
          secondAt = performance.now();
          end();
        });
        await sleep(300); // the first call is still in flight: three windows pass, and it still counts
        expect(secondAt).toBeUndefined();
        const endedAt = performance.now();
        ended();
        await second;
        // Not before a window after the end (a little slack for timer rounding).
        expect(secondAt! - endedAt).toBeGreaterThanOrEqual(90);
        expect(endedAt - granted).toBeGreaterThanOrEqual(290);
        lifecycle.abort();
      });

      it('another key has a budget of its own', async () => {
        const budgets = await make(settings());
        const waiting = { clock: systemClock, signal: new AbortController().signal };
        const limit = { requestsPerSecond: 0.01, burst: 1 }; // one start per 100 s
        await budgets.nativeRate(key('one'), limit, waiting).take();
        // Were the keys one budget, this would wait 100 s and the test would time out.
        await budgets.nativeRate(key('two'), limit, waiting).take();
      });

      it('close rejects the waiters and every later take', async () => {
        const budgets = await make(settings());
        const lifecycle = new AbortController();
        const rate = budgets.nativeRate(key('close'), { requestsPerSecond: 0.01, burst: 1 }, { clock: systemClock, signal: lifecycle.signal });
        await rate.take();
        const waiting = rate.take();
        lifecycle.abort();
        rate.close(new Error('closed'));
        await expect(waiting).rejects.toThrow('closed');
        await expect(rate.take()).rejects.toThrow('closed');
      });

      it('a limit no budget can keep is refused when the rate is made', async () => {
        const budgets = await make(settings());
        const waiting = { clock: systemClock, signal: new AbortController().signal };
        for (const limit of [
          { requestsPerSecond: 0, burst: 1 },
          { requestsPerSecond: 1, burst: 0.5 },
          { requestsPerSecond: Number.NaN, burst: 1 },
        ]) {
          expect(() => budgets.nativeRate(key('bad'), limit, waiting)).toThrow(TypeError);
        }
      });
    });
  });
}
