/** The `scim` connector: an app that speaks SCIM already, reached with the shared native client. */
import type { Logger } from 'pino';
import type { NativeRateSource } from '../../budgets/index.js';
import { createNativeClient, type NativeCallEvent } from '../http/index.js';
import type { ScimApp } from './app-config.js';
import { ScimConnector } from './connector.js';

export interface CreateScimConnectorOptions {
  log: Logger;
  /** Every call attempt (audit trail); never carries credentials. */
  onCall?: (event: NativeCallEvent) => void;
  /** The app's rate budget (src/budgets/), shared by replicas when they share a database. */
  nativeRate?: NativeRateSource;
  /** The header each call carries the inbound request's id in (downstream.requestIdHeader). */
  requestIdHeader?: string;
}

export function createScimConnector(app: ScimApp, options: CreateScimConnectorOptions): ScimConnector {
  const log = options.log.child({ plugin: app.plugin.name });
  const client = createNativeClient(app.connection, {
    log,
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.nativeRate ? { nativeRate: options.nativeRate } : {}),
    ...(options.requestIdHeader ? { requestIdHeader: options.requestIdHeader } : {}),
  });
  return new ScimConnector(app.plugin, app.normalizer, client, log);
}
