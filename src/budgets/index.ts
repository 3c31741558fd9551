/**
 * The one factory of deployment-wide budgets (native API rate, per-app inbound rate, failed-login
 * throttle): in memory when the gateway runs alone on SQLite, shared through PostgreSQL when the store is
 * PostgreSQL and several replicas may serve the same apps. Building them opens nothing; `ready()` prepares
 * the shared tables.
 */
import { memoryBudgets } from './memory/index.js';
import { postgresBudgets, type PostgresBudgetsOptions } from './postgres/index.js';
import type { BudgetLog, BudgetSettings, Budgets, Rate } from './types.js';

export type { AuthFailures, Budgets, BudgetSettings, Ended, InboundRate, NativeRate, NativeRateLimit, NativeRates, NativeRateSource, Rate, Waiting } from './types.js';
export { localNativeRate } from './memory/index.js';

/** Where the budgets live: SQLite deployments (one process) keep them in memory. */
export type BudgetsBackend = { kind: 'memory' | 'sqlite' } | ({ kind: 'postgres' } & PostgresBudgetsOptions);

export interface BudgetsOptions {
  log: BudgetLog;
  /** The clock of the in-memory inbound rate and throttle (tests); the shared ones use the database's. */
  now?: () => number;
}

export function createBudgets(backend: BudgetsBackend, settings: BudgetSettings, options: BudgetsOptions): Budgets {
  const { appRateLimit } = settings;
  const rateOf = (app: string): Rate => appRateLimit.apps[app] ?? appRateLimit;
  if (backend.kind === 'postgres') return postgresBudgets(backend, settings, rateOf, options.log);
  return memoryBudgets(settings, rateOf, options.now);
}
