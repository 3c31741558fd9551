/** Store factory: configuration in, a migrated Store out. */

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
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
      const store = openSqliteStore({ path: config.path, ...(config.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: config.busyTimeoutMs }) });
      try {
        await store.migrate();
      } catch (err) {
        await store.close();
        throw err;
      }
      return store;
    }
    default:
      throw new Error(`unknown store kind: ${String((config as { kind: unknown }).kind)}`);
  }
}
