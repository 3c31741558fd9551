/** The embedded SQLite store. */

import type { Store } from '../types.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

/** Opens (creating if needed) the database file; call `migrate()` before anything else. */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}
