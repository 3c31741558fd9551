/**
 * The inbound credentials of every app, built from one configuration: its bearer secrets and, when
 * configured, its Entra JWT settings. Built whole and swapped whole (CredentialRegistry), so a reload
 * either replaces every app's credentials or none, and a request in flight keeps the set it started with.
 */
import type { GatewayConfig } from '../config/load.js';
import { EntraVerifier } from './entra-token.js';
import { TenantKeys } from './entra-keys.js';
import { SecretVerifier } from './secret-verifier.js';
import { resolveSecrets } from './secrets.js';
import { looksLikeJwt, refused, type Verdict } from './verdict.js';

export class AppCredentials {
  constructor(
    readonly app: string,
    readonly secrets: SecretVerifier | undefined,
    readonly entra: EntraVerifier | undefined,
    /** For the start-up log: where each secret came from, which tenants are accepted. Never a secret. */
    readonly description: { secrets: string[]; entraTenants?: string[] },
  ) {}

  /**
   * A token shaped like a JWT is tried as one first when the app accepts JWTs: a JWT never matches a
   * stored scrypt hash, and hashing every JWT would be slow. If the JWT checks fail it is still tried as
   * a secret — an operator's secret may have the same shape, and a secret only ever matches itself, so
   * nothing is weakened. A JWT refused because the keys are unreachable is a 503 unless it was a secret.
   * `mayHash` guards the one expensive step, hashing a candidate with scrypt (secret-verifier.ts).
   */
  async check(token: string, mayHash?: () => Promise<boolean>): Promise<Verdict> {
    let jwtFailure: Extract<Verdict, { ok: false }> | undefined;
    if (this.entra && looksLikeJwt(token)) {
      const verdict = await this.entra.verify(token);
      if (verdict.ok) return verdict;
      jwtFailure = verdict;
    }
    if (this.secrets && (await this.secrets.verify(token, mayHash))) return { ok: true, method: 'secret' };
    if (jwtFailure) return this.secrets ? { ...jwtFailure, reason: `${jwtFailure.reason}; not a secret either` } : jwtFailure;
    if (!this.secrets) return refused('the app accepts only Entra JWTs and this is not one');
    return refused(this.entra ? 'bearer secret does not match (and it is not a JWT)' : 'bearer secret does not match');
  }
}

export interface BuildOptions {
  now?: () => number;
}

/** Resolves every app's credentials; throws (SecretError) when one cannot be built, changing nothing. */
export function buildCredentials(config: GatewayConfig, env: NodeJS.ProcessEnv, options: BuildOptions = {}): Map<string, AppCredentials> {
  // One key source per authority, tenant and key settings, shared by the apps that agree on all three.
  const keySources = new Map<string, TenantKeys>();
  const result = new Map<string, AppCredentials>();
  for (const app of config.apps.values()) {
    const resolved = resolveSecrets(app, env, config.dataDir);
    const secrets = resolved.digests.length + resolved.hashes.length > 0 ? new SecretVerifier(resolved) : undefined;
    const entraConfig = app.auth.entra;
    let entra: EntraVerifier | undefined;
    if (entraConfig) {
      const settings = {
        cacheMaxAgeMs: entraConfig.keys.cacheMaxAgeSeconds * 1000,
        cooldownMs: entraConfig.keys.cooldownSeconds * 1000,
        timeoutMs: entraConfig.keys.timeoutSeconds * 1000,
      };
      entra = new EntraVerifier(entraConfig, {
        now: options.now,
        keysFor: (authority, tenant) => {
          const id = JSON.stringify([authority, tenant, settings]);
          let keys = keySources.get(id);
          if (!keys) {
            keys = new TenantKeys(authority, tenant, settings, options.now);
            keySources.set(id, keys);
          }
          return keys;
        },
      });
    }
    result.set(
      app.name,
      new AppCredentials(app.name, secrets, entra, {
        secrets: resolved.origins,
        ...(entra ? { entraTenants: [...entra.tenants] } : {}),
      }),
    );
  }
  return result;
}

/** The current credentials of every app; replaced in one assignment. */
export class CredentialRegistry {
  #current: ReadonlyMap<string, AppCredentials>;

  constructor(initial: ReadonlyMap<string, AppCredentials>) {
    this.#current = initial;
  }

  get(app: string): AppCredentials | undefined {
    return this.#current.get(app);
  }

  swap(next: ReadonlyMap<string, AppCredentials>): void {
    this.#current = next;
  }
}
