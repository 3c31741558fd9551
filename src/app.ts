/**
 * The composition root: configuration → store → per-app runtimes (schemas, dialect, service, secrets)
 * → express app. Everything else is a named module; nothing but this file wires them.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type express from 'express';
import type { Logger } from 'pino';
import { buildAdminApp } from './admin/server.js';
import type { AdminAppView } from './admin/page.js';
import { scopedConnector } from './audit/connector.js';
import { auditingStore } from './audit/store.js';
import { KEY_FETCH_CHANNEL } from './auth/entra-keys.js';
import { GatewayMetrics } from './metrics/registry.js';
import { timedStore } from './metrics/store.js';
import { createInboundSecurity, type ReloadSummary } from './auth/inbound.js';
import { createBudgets, type Budgets, type NativeRateSource } from './budgets/index.js';
import type { AppConfig, GatewayConfig } from './config/load.js';
import { DIALECTS } from './dialect/index.js';
import type { NativeCallEvent } from './connectors/http/types.js';
import { createRestConnector, type ConnectorDecision } from './connectors/rest/index.js';
import { createScimConnector } from './connectors/scim/index.js';
import { storeConnector, type Connector } from './connectors/types.js';
import { buildHttpApp, type HttpApp } from './http/server.js';
import { createReconcileJobs, type ReconcileJobs } from './reconcile/jobs.js';
import { reconcileStateDir } from './reconcile/state.js';
import type { ReconcileTarget } from './reconcile/run.js';
import { ResourceService, type AppRuntime } from './service/resources.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface Gateway {
  handler: ReturnType<typeof buildHttpApp>;
  /** The admin listener's app (/metrics, /admin, /admin/audit); main.ts serves it on admin.listen. */
  admin: express.Express;
  /** Undefined when admin.metrics is false. */
  metrics: GatewayMetrics | undefined;
  store: Store;
  /** Reconcile runs started from the admin listener (src/reconcile/jobs.ts); its router is mounted there. */
  reconcile: ReconcileJobs;
  /** Rebuilds every app's credentials from `next` and swaps them in at once (SIGHUP); throws, changing nothing, if `next` is broken. */
  reloadAuth(next: GatewayConfig): ReloadSummary;
  close(): Promise<void>;
}

export interface GatewayOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** An already open store (tests share one); otherwise the configured one is opened. */
  store?: Store;
  /** The clock of token expiry checks, throttles and rate limits (tests); default Date.now. */
  now?: () => number;
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
  const { log, env } = options;
  // Deployment-wide budgets: in memory on SQLite, shared through PostgreSQL otherwise. Building them opens nothing.
  const budgets = createBudgets(config.store, config.security, { log, now: options.now });
  // Secrets first: a missing credential must stop start-up before anything is opened.
  const inbound = createInboundSecurity(config, env, budgets, { now: options.now });
  // A plugin's hooks module is loaded (and its exports checked) now, so a bad one stops start-up.
  for (const app of config.apps.values()) await app.plugin?.hooks.load();
  const opened = options.store ?? (await openStore(config.store));
  await budgets.ready();
  const metrics = config.admin.metrics ? new GatewayMetrics(config.apps.keys()) : undefined;
  // Every audit row completed from its request (id, resource, name, native id); every store call timed.
  const store = auditingStore(metrics ? timedStore(opened, metrics) : opened);
  const onKeyFetch = (message: unknown) => {
    const { what, ok } = message as { what: 'discovery' | 'jwks'; ok: boolean };
    metrics?.keyFetch(what, ok);
  };
  if (metrics) subscribe(KEY_FETCH_CHANNEL, onKeyFetch);

  const apps = new Map<string, HttpApp>();
  const connectors: Connector[] = [];
  const adminApps: AdminAppView[] = [];
  const reconcilable = new Map<string, ReconcileTarget>();
  for (const app of config.apps.values()) {
    const connector = scopedConnector(connectorOf(app, store, budgets, log, metrics));
    connectors.push(connector);
    adminApps.push(adminViewOf(app, inbound.describe(app.name)));
    const runtime = appRuntime(config, app, store, connector);
    const service = new ResourceService(runtime, log.child({ app: app.name }));
    apps.set(app.name, {
      name: app.name,
      registry: app.registry,
      service,
      dialect: DIALECTS[app.dialect],
      limitations: connector.limitations?.() ?? [],
    });
    reconcilable.set(app.name, { runtime, service, maxScanCandidates: config.server.maxScanCandidates });
    log.info({ app: app.name, connector: app.connector, dialect: app.dialect, auth: inbound.describe(app.name) }, 'app ready');
  }

  const handler = buildHttpApp(
    apps,
    {
      publicUrl: config.server.publicUrl,
      bodyLimitBytes: config.server.bodyLimitBytes,
      maxJsonDepth: config.server.maxJsonDepth,
      security: inbound.security,
      storeHealth: () => store.ping(),
      limits: { defaultCount: config.server.defaultCount, maxResults: config.server.maxResults },
      maxMembersPerRequest: config.server.maxMembersPerRequest,
      scan: { maxCandidates: config.server.maxScanCandidates },
      ...(metrics
        ? {
            observeRequest: (app: string | undefined, method: string, status: number, seconds: number) => metrics.request(app, method, status, seconds),
            observeAuthFailure: (app: string | undefined, reason: string, kind?: 'throttled' | 'unavailable') => metrics.authFailure(app, reason, kind),
          }
        : {}),
    },
    log,
  );
  const reconcile = createReconcileJobs({ targets: reconcilable, state: reconcileStateDir(config.dataDir), log });
  const admin = buildAdminApp({ apps: adminApps, store, log, reconcile, ...(metrics ? { metrics } : {}) });
  return {
    handler,
    admin,
    metrics,
    store,
    reconcile,
    reloadAuth: (next) => inbound.reload(next),
    close: async () => {
      if (metrics) unsubscribe(KEY_FETCH_CHANNEL, onKeyFetch);
      await reconcile.close();
      await Promise.all(connectors.map((connector) => connector.close?.()));
      await budgets.close();
      if (!options.store) await store.close();
    },
  };
}

/** What the resource service of one app runs on. */
export function appRuntime(config: GatewayConfig, app: AppConfig, store: Store, connector: Connector): AppRuntime {
  return {
    name: app.name,
    registry: app.registry,
    store,
    uniqueGroupDisplayName: app.uniqueGroupDisplayName,
    connector,
    claims: { leaseMs: config.writes.claimLeaseSeconds * 1000, waitMs: config.writes.claimWaitMs },
  };
}

/**
 * The app's connector; every native call of a rest app lands in the audit trail (never its credentials)
 * and draws on the app's native rate budget (one per app name, across replicas when shared).
 */
export function connectorOf(app: AppConfig, store: Store, budgets: Budgets, log: Logger, metrics?: GatewayMetrics): Connector {
  const native = (app.connector === 'rest' && app.plugin && app.downstream) || (app.connector === 'scim' && app.scim);
  if (!native) return storeConnector;
  const appLog = log.child({ app: app.name });
  const onCall = (event: NativeCallEvent) => {
    metrics?.nativeCall(app.name, event);
    // The request, and what it is about, come from the request scope (the audit store fills them in).
    void store
      .appendAudit({
        app: app.name,
        action: `native ${event.operation}`,
        resourceType: event.operation.startsWith('groups.') ? 'Group' : 'User',
        status: event.status ?? 0,
        detail: `${event.method} ${event.path} attempt ${event.attempt}`,
        durationMs: Math.round(event.durationMs * 1000) / 1000,
        outcome: event.outcome,
        ...(event.requestId === undefined ? {} : { requestId: event.requestId }),
      })
      .catch((error: unknown) => appLog.error({ err: error }, 'audit append failed'));
  };
  // Adoption decisions and read-back verdicts are audited too: why a native record was (not) adopted, what was not applied.
  const onDecision = (decision: ConnectorDecision) => {
    void store
      .appendAudit({
        app: app.name,
        action: `${decision.kind} ${decision.operation}`,
        resourceType: decision.type,
        status: DECISION_STATUS[decision.outcome],
        detail: `${decision.outcome}: ${decision.detail}`.slice(0, 500),
        outcome: decision.outcome,
      })
      .catch((error: unknown) => appLog.error({ err: error }, 'audit append failed'));
  };
  const nativeRate: NativeRateSource = (limit, waiting) => budgets.nativeRate(app.name, limit, waiting);
  const shared = { log: appLog, onCall, nativeRate, ...(app.requestIdHeader ? { requestIdHeader: app.requestIdHeader } : {}) };
  if (app.scim) return createScimConnector(app.scim, shared);
  return createRestConnector(app.plugin!, app.downstream!, { ...shared, onDecision });
}

/** What the admin page shows of an app's configuration (never a credential). */
function adminViewOf(app: AppConfig, auth: Record<string, unknown>): AdminAppView {
  const secrets = Array.isArray(auth.secrets) ? auth.secrets.length : 0;
  const tenants = Array.isArray(auth.entraTenants) ? auth.entraTenants.length : 0;
  const modes = [secrets > 0 ? `bearer secret${secrets > 1 ? ` (${secrets})` : ''}` : '', tenants > 0 ? `Entra JWT (${tenants} tenant${tenants > 1 ? 's' : ''})` : ''].filter(Boolean);
  const view: AdminAppView = { name: app.name, connector: app.connector, dialect: app.dialect, auth: modes.join(' + ') || 'none' };
  if (app.plugin && app.downstream) {
    view.plugin = app.plugin.name;
    view.rateLimit = app.plugin.connection(app.downstream).rateLimit.requestsPerSecond;
  }
  return view;
}

/** The status an audited decision is recorded with. */
const DECISION_STATUS: Record<ConnectorDecision['outcome'], number> = { adopt: 200, none: 404, ambiguous: 409, applied: 200, differs: 400, explained: 200 };
