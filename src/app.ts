/**
 * The composition root: configuration → store → per-app runtimes (schemas, dialect, service, secrets)
 * → express app. Everything else is a named module; nothing but this file wires them.
 */
import type { Logger } from 'pino';
import { createInboundSecurity, type ReloadSummary } from './auth/inbound.js';
import { createBudgets, type Budgets, type NativeRateSource } from './budgets/index.js';
import type { AppConfig, GatewayConfig } from './config/load.js';
import { DIALECTS } from './dialect/index.js';
import type { NativeCallEvent } from './connectors/http/types.js';
import { createRestConnector, type ConnectorDecision } from './connectors/rest/index.js';
import { createScimConnector } from './connectors/scim/index.js';
import { storeConnector, type Connector } from './connectors/types.js';
import { buildHttpApp, type HttpApp } from './http/server.js';
import { ResourceService } from './service/resources.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface Gateway {
  handler: ReturnType<typeof buildHttpApp>;
  store: Store;
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
  const store = options.store ?? (await openStore(config.store));
  await budgets.ready();

  const apps = new Map<string, HttpApp>();
  const connectors: Connector[] = [];
  for (const app of config.apps.values()) {
    const connector = connectorOf(app, store, budgets, log);
    connectors.push(connector);
    const runtime = {
      name: app.name,
      registry: app.registry,
      store,
      uniqueGroupDisplayName: app.uniqueGroupDisplayName,
      connector,
      claims: { leaseMs: config.writes.claimLeaseSeconds * 1000, waitMs: config.writes.claimWaitMs },
    };
    apps.set(app.name, {
      name: app.name,
      registry: app.registry,
      service: new ResourceService(runtime, log.child({ app: app.name })),
      dialect: DIALECTS[app.dialect],
      limitations: connector.limitations?.() ?? [],
    });
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
    },
    log,
  );
  return {
    handler,
    store,
    reloadAuth: (next) => inbound.reload(next),
    close: async () => {
      await Promise.all(connectors.map((connector) => connector.close?.()));
      await budgets.close();
      if (!options.store) await store.close();
    },
  };
}

/**
 * The app's connector; every native call of a rest app lands in the audit trail (never its credentials)
 * and draws on the app's native rate budget (one per app name, across replicas when shared).
 */
function connectorOf(app: AppConfig, store: Store, budgets: Budgets, log: Logger): Connector {
  const native = (app.connector === 'rest' && app.plugin && app.downstream) || (app.connector === 'scim' && app.scim);
  if (!native) return storeConnector;
  const appLog = log.child({ app: app.name });
  const onCall = (event: NativeCallEvent) => {
    void store
      .appendAudit({
        app: app.name,
        action: `native ${event.operation}`,
        resourceType: event.operation.startsWith('groups.') ? 'Group' : 'User',
        status: event.status ?? 0,
        detail: `${event.method} ${event.path} attempt ${event.attempt}: ${event.outcome}`,
        durationMs: Math.round(event.durationMs * 1000) / 1000,
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
      })
      .catch((error: unknown) => appLog.error({ err: error }, 'audit append failed'));
  };
  const nativeRate: NativeRateSource = (limit, waiting) => budgets.nativeRate(app.name, limit, waiting);
  if (app.scim) return createScimConnector(app.scim, { log: appLog, onCall, nativeRate });
  return createRestConnector(app.plugin!, app.downstream!, { log: appLog, onCall, onDecision, nativeRate });
}

/** The status an audited decision is recorded with. */
const DECISION_STATUS: Record<ConnectorDecision['outcome'], number> = { adopt: 200, none: 404, ambiguous: 409, applied: 200, differs: 400, explained: 200 };
