/** The PostgreSQL store, for several replicas on one database. */

import type { Store } from '../types.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

/** Makes the pool (no connection yet); call `migrate()` before anything else. */
export function openPostgresStore(options: PostgresStoreOptions): Store {
  return new PostgresStore(options);
}
