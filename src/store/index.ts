/** Store factory: configuration in, a migrated Store out. */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string; busyTimeoutMs?: number }
  /** `url` may hold a password: never log it. `schema` holds the tables; `poolSize` is per process. */
  | { kind: 'postgres'; url: string; schema: string; poolSize: number };

export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      if (config.path !== ':memory:') await mkdir(dirname(config.path), { recursive: true });
      return migrated(openSqliteStore({ path: config.path, ...(config.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: config.busyTimeoutMs }) }));
    }
    case 'postgres':
      return migrated(openPostgresStore({ url: config.url, schema: config.schema, poolSize: config.poolSize }));
    default:
      throw new Error(`unknown store kind: ${String((config as { kind: unknown }).kind)}`);
  }
}

async function migrated(store: Store): Promise<Store> {
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
