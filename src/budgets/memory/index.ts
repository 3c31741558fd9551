/**
 * The budgets of a single process (SQLite deployments, tests): plain memory, nothing to open or close.
 * Native rates of one key share one window here too, as they share one row in the shared variant.
 */
import { StartQueue } from '../start-queue.js';
import type { BudgetSettings, Budgets, NativeRateSource, Rate } from '../types.js';
import { MemoryInboundRate } from './app-rate.js';
import { MemoryAuthFailures } from './auth-failures.js';
import { StartWindow, StartWindows, windowMs } from './start-window.js';

/** A native rate of its own (no key shared with anyone): a client built without budgets uses this. */
export const localNativeRate: NativeRateSource = (limit, waiting) => {
  windowMs(limit);
  const window = new StartWindow(waiting.clock);
  return new StartQueue(() => window.grant(limit), waiting);
};

export function memoryBudgets(settings: BudgetSettings, rateOf: (app: string) => Rate, now?: () => number): Budgets {
  const windows = new StartWindows();
  return {
    kind: 'memory',
    nativeRate(key, limit, waiting) {
      windowMs(limit);
      const window = windows.of(key, waiting.clock);
      return new StartQueue(() => window.grant(limit), waiting);
    },
    inboundRate: new MemoryInboundRate(rateOf, now),
    authFailures: new MemoryAuthFailures(settings.failedAuth, now),
    ready: async () => {},
    close: async () => {},
  };
}
