/** The `rest` connector: a compiled plugin run against one app's native API. */
import type { Logger } from 'pino';
import type { NativeRateSource } from '../../budgets/index.js';
import type { CompiledPlugin, Downstream } from '../../plugins/types.js';
import { createNativeClient, type NativeCallEvent } from '../http/index.js';
import type { Connector } from '../types.js';
import { RestConnector, type RestConnectorOptions } from './connector.js';

export { RestConnector, type ConnectorDecision, type RestConnectorOptions } from './connector.js';
export { DEFAULT_RETRY_AFTER_SECONDS, NativeResponseError } from './errors.js';

export interface CreateRestConnectorOptions {
  log: Logger;
  /** Every native call attempt (audit trail, metrics); never carries credentials. */
  onCall?: (event: NativeCallEvent) => void;
  /** The clock behind `{today}` / `{now}` in templates and rules (tests). */
  now?: () => Date;
  /** The app's native rate budget (src/budgets/); the client's own when absent. */
  nativeRate?: NativeRateSource;
  /** Every adoption decision and read-back verdict (audit trail). */
  onDecision?: RestConnectorOptions['onDecision'];
  /** The header native calls carry the inbound request id in. */
  requestIdHeader?: string;
}

/** A connector for one app: the plugin, the app's base URL and credentials, and its own native client. */
export function createRestConnector(
  plugin: CompiledPlugin,
  downstream: Downstream,
  options: CreateRestConnectorOptions,
): Connector & { close(): Promise<void> } {
  const log = options.log.child({ plugin: plugin.name });
  const client = createNativeClient(plugin.connection(downstream), {
    log,
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.nativeRate ? { nativeRate: options.nativeRate } : {}),
    ...(options.requestIdHeader ? { requestIdHeader: options.requestIdHeader } : {}),
  });
  return new RestConnector(plugin, client, downstream.baseUrl, {
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onDecision ? { onDecision: options.onDecision } : {}),
  });
}
