/**
 * Verifies an Entra-issued JWT for one app: RS256 only; issuer in its v1 (`https://sts.windows.net/{tid}/`)
 * or v2 (`{authority}/{tid}/v2.0`) form for one of the app's tenants; `tid` equal to that tenant; `aud`
 * one of the app's audiences (by default the one every non-gallery app shares — hence the tenant pin);
 * exp/nbf with bounded skew; `iat` not in the future beyond the skew, and not older than
 * `maxTokenAgeSeconds` when that is set. Nothing is fetched for a tenant the app does not list.
 */
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { EntraAuthConfig } from './config-schema.js';
import { KeysUnavailable, type TenantKeys } from './entra-keys.js';
import { refused, type Verdict } from './verdict.js';

export const ALLOWED_ALGORITHMS = ['RS256'];

export interface EntraVerifierDeps {
  /** The shared key source of a tenant under an authority. */
  keysFor(authority: string, tenant: string): TenantKeys;
  now?: () => number;
}

interface CachedToken {
  /** Epoch ms after which the token is no longer accepted from the cache. */
  until: number;
  who: Record<string, string>;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

export class EntraVerifier {
  readonly tenants: ReadonlySet<string>;
  readonly #authority: string;
  readonly #v1Base: string;
  readonly #cache: LRUCache<string, CachedToken> | undefined;
  readonly #now: () => number;

  constructor(
    private readonly config: EntraAuthConfig,
    private readonly deps: EntraVerifierDeps,
  ) {
    this.tenants = new Set(config.tenants.map((t) => t.toLowerCase()));
    this.#authority = trimSlash(config.authority);
    this.#v1Base = trimSlash(config.v1IssuerBase);
    this.#now = deps.now ?? Date.now;
    this.#cache = config.tokenCacheSeconds > 0 ? new LRUCache({ max: 10_000 }) : undefined;
  }

  issuers(tenant: string): string[] {
    return [`${this.#v1Base}/${tenant}/`, `${this.#authority}/${tenant}/v2.0`];
  }

  async verify(token: string): Promise<Verdict> {
    // Entra sends one token for a whole cycle: a token this verifier accepted is answered from the cache
    // before anything is decoded. The cache is this app's and this configuration's alone.
    const key = this.#cache ? createHash('sha256').update(token).digest('base64url') : '';
    const cached = this.#cache?.get(key);
    if (cached && this.#now() < cached.until) return { ok: true, method: 'entra', who: cached.who };

    let tenant: string;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) return refused(`JWT alg ${String(header.alg)} is not allowed`);
      const tid = decodeJwt(token).tid;
      if (typeof tid !== 'string') return refused('JWT has no tid claim');
      tenant = tid.toLowerCase();
    } catch (error) {
      return refused(`not a decodable JWT (${error instanceof Error ? error.message : 'error'})`);
    }
    if (!this.tenants.has(tenant)) return refused(`JWT tenant ${tenant} is not one of this app's tenants`);

    try {
      const { maxTokenAgeSeconds: maxAge, clockSkewSeconds: skew } = this.config;
      const { payload } = await jwtVerify(token, this.deps.keysFor(this.#authority, tenant).lookup, {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: this.issuers(tenant),
        audience: this.config.audiences,
        clockTolerance: skew,
        currentDate: new Date(this.#now()),
        requiredClaims: ['exp', 'tid'],
        ...(maxAge === undefined ? {} : { maxTokenAge: maxAge }),
      });
      // jose checks that `iat` is in the past only with maxTokenAge; a token from the future is refused anyway.
      if (typeof payload.iat === 'number' && payload.iat > this.#now() / 1000 + skew) return refused('JWT rejected: "iat" lies in the future');
      // The issuer already names the tenant; `tid` must agree (Microsoft's own guidance for multi-tenant checks).
      if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== tenant) return refused('JWT tid does not match its issuer');
      const who: Record<string, string> = { tenant };
      for (const claim of ['appid', 'azp', 'oid'] as const) {
        const value = payload[claim];
        if (typeof value === 'string') who[claim] = value;
      }
      if (this.#cache && payload.exp !== undefined) {
        const tooOld = maxAge === undefined || payload.iat === undefined ? Infinity : (payload.iat + maxAge + skew) * 1000;
        const until = Math.min(this.#now() + this.config.tokenCacheSeconds * 1000, payload.exp * 1000, tooOld);
        this.#cache.set(key, { until, who });
      }
      return { ok: true, method: 'entra', who };
    } catch (error) {
      if (error instanceof KeysUnavailable) {
        return { ok: false, reason: error.message, retryAfterSeconds: error.retryAfterSeconds, ...(error.outageStarted ? { outageStarted: true } : {}) };
      }
      if (error instanceof errors.JOSEError) return refused(`JWT rejected: ${error.code}: ${error.message}`);
      // Anything else (a key the crypto layer cannot use, say) is still a refused token, never a 500;
      // the reason names the error so the log shows it.
      return refused(`JWT verification error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }
}
