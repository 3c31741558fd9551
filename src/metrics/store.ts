/**
 * The store with each operation timed into scim_bridge_store_operation_duration_seconds. A wrapper at
 * the composition root, so neither store implementation knows about metrics.
 */
import type { Store } from '../store/types.js';
import { wrapWith } from '../store/wrap.js';
import type { GatewayMetrics } from './registry.js';

const TIMED = [
  'create',
  'get',
  'replace',
  'delete',
  'reserve',
  'release',
  'nativeIdsOf',
  'findByNativeId',
  'query',
  'groupsOf',
  'appendAudit',
  'readAudit',
  'auditTimeline',
  'ping',
] as const satisfies readonly (keyof Store)[];

export function timedStore(store: Store, metrics: GatewayMetrics): Store {
  const timed: Partial<Record<keyof Store, unknown>> = {};
  for (const name of TIMED) {
    const original = (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    timed[name] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await original(...args);
        metrics.storeOperation(name, true, (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.storeOperation(name, false, (performance.now() - started) / 1000);
        throw error;
      }
    };
  }
  return wrapWith(store, timed as Partial<Store>);
}
