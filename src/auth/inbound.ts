/**
 * Everything that guards the door, built from the configuration once: the credential registry, and the
 * per-address failure throttle and per-app rate limiter from the budgets (src/budgets/: in memory or shared
 * by every replica). `reload` rebuilds the credentials from a
 * new configuration (SIGHUP) and swaps them in one assignment; if anything is wrong with the new
 * configuration it throws and the old credentials stay.
 */
import type { AuthFailures, Budgets, InboundRate } from '../budgets/index.js';
import type { GatewayConfig } from '../config/load.js';
import type { SecurityConfig } from './config-schema.js';
import { buildCredentials, CredentialRegistry } from './credentials.js';
import { HashAllowance } from './hash-allowance.js';

export interface InboundSecurity {
  credentials: CredentialRegistry;
  failures: AuthFailures;
  /** Slow checks an address the throttle refuses may still cause (this process's CPU, so not shared). */
  hashAllowance: HashAllowance;
  rate: InboundRate;
  trustProxy: SecurityConfig['trustProxy'];
  /** The realm of every challenge; one for all apps, so the challenge does not tell apps apart. */
  realm: string;
}

export interface ReloadSummary {
  /** Apps whose credentials were replaced. */
  apps: string[];
  /** Apps in the new configuration that are not served (adding an app needs a restart). */
  ignored: string[];
  /** Served apps missing from the new configuration: from now on nothing authenticates for them. */
  closed: string[];
}

export interface Inbound {
  security: InboundSecurity;
  describe(app: string): Record<string, unknown>;
  reload(next: GatewayConfig): ReloadSummary;
}

export function createInboundSecurity(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv,
  budgets: Pick<Budgets, 'authFailures' | 'inboundRate'>,
  options: { now?: () => number } = {},
): Inbound {
  const served = new Set(config.apps.keys());
  const credentials = new CredentialRegistry(buildCredentials(config, env, options));
  const security: InboundSecurity = {
    credentials,
    failures: budgets.authFailures,
    hashAllowance: new HashAllowance({ intervalMs: 1000, trackedAddresses: config.security.failedAuth.trackedAddresses, now: options.now }),
    rate: budgets.inboundRate,
    trustProxy: config.security.trustProxy,
    realm: 'scim-bridge',
  };
  return {
    security,
    describe(app) {
      const found = credentials.get(app);
      return found ? { ...found.description } : {};
    },
    reload(next) {
      const built = buildCredentials(next, env, options);
      for (const name of built.keys()) if (!served.has(name)) built.delete(name);
      credentials.swap(built);
      return {
        apps: [...built.keys()],
        ignored: [...next.apps.keys()].filter((n) => !served.has(n)),
        closed: [...served].filter((n) => !built.has(n)),
      };
    },
  };
}
