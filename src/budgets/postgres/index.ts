/**
 * The budgets of a multi-replica deployment, shared through PostgreSQL: a pool of its own, tables created
 * when first needed (and at start, by `ready`), every decision one statement on the database's clock,
 * and a fallback for each budget while the database does not answer (outage.ts).
 */
import type { BudgetLog, BudgetSettings, Budgets, Rate } from '../types.js';
import { SharedInboundRate, type LeaseOptions } from './app-rate.js';
import { SharedAuthFailures } from './auth-failures.js';
import { sharedNativeRates } from './native-rate.js';
import { Outage } from './outage.js';
import { openBudgetPool, type PostgresBudgetsConfig } from './pool.js';
import { createBudgetTables } from './tables.js';

/** Where the shared budgets live, and (for bench/budgets.ts) the inbound lease's size and lifetime. */
export type PostgresBudgetsOptions = PostgresBudgetsConfig & LeaseOptions;

const DEFAULT_RETRY_MS = 1000;

export function postgresBudgets(
  config: PostgresBudgetsOptions,
  settings: BudgetSettings,
  rateOf: (app: string) => Rate,
  log: BudgetLog,
): Budgets {
  const pool = openBudgetPool(config);
  const retryMs = config.retryMs ?? DEFAULT_RETRY_MS;
  const outage = (budget: string, fallback: string) => new Outage({ budget, fallback, log, retryMs });

  let tables: Promise<void> | undefined;
  // Once made, the promise is kept; a failed attempt is forgotten so that the next call tries again.
  const prepared = (): Promise<void> =>
    (tables ??= createBudgetTables(pool, config.schema).catch((err: unknown) => {
      tables = undefined;
      throw err;
    }));

  const authFailures = new SharedAuthFailures(pool, prepared, outage('failed-login throttle', 'failing open'), settings.failedAuth);
  const start = outage('budget tables', 'every budget falls back');
  return {
    kind: 'postgres',
    nativeRate: sharedNativeRates(pool, prepared, outage('native rate', 'each replica keeps its own local budget')),
    inboundRate: new SharedInboundRate(pool, prepared, outage('inbound rate', 'failing open'), rateOf, config),
    authFailures,
    ready: () => start.run(prepared, () => undefined),
    close: async () => {
      authFailures.stop();
      await pool.end();
    },
  };
}
