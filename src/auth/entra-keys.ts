/**
 * The signing keys of one Entra tenant: OpenID discovery (openid-client) of
 * `{authority}/{tid}/v2.0/.well-known/openid-configuration` gives the `jwks_uri`, whose keys jose fetches
 * and caches (an unknown `kid` refetches once, at most every cooldown, so a rotated key is picked up
 * without a restart). When the endpoints fail, the keys already fetched keep verifying; with none, the
 * caller is told to come back later (KeysUnavailable → 503) — quickly: requests are bounded by a timeout,
 * and after a failure the endpoints are left alone for the cooldown instead of being hammered. An outage
 * lasts from the first failure to the next answer of the JWKS endpoint; the first KeysUnavailable of each
 * says so (`outageStarted`), so the caller warns once per outage, not once per request.
 */
import { channel } from 'node:diagnostics_channel';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import * as client from 'openid-client';

export interface KeySettings {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

/** The keys cannot be had right now; not the caller's fault. */
export class KeysUnavailable extends Error {
  override name = 'KeysUnavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
    /** True for the first failure the caller sees in this outage. */
    readonly outageStarted = false,
  ) {
    super(message, options);
  }
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;
type KeyLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** jose errors that mean "the JWKS endpoint failed", as opposed to "this token is bad". */
function isEndpointFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  // fetch itself failed (connection refused, reset, DNS).
  return error instanceof TypeError || (error instanceof Error && error.name === 'AbortError');
}

/**
 * Each fetch of signing keys, `{ what: 'discovery' | 'jwks', ok }`, for whoever listens (the metrics);
 * publishing costs nothing while nobody does.
 */
export const KEY_FETCH_CHANNEL = 'scim-bridge:entra-key-fetch';
const keyFetches = channel(KEY_FETCH_CHANNEL);

export class TenantKeys {
  readonly discoveryIssuer: URL;
  #remote: RemoteKeys | undefined;
  #discovering: Promise<RemoteKeys> | undefined;
  #unavailableUntil = 0;
  #lastFailure = '';
  /** Between a failure and the next answer of the JWKS endpoint. */
  #inOutage = false;
  /** The outage has not been reported to a caller yet. */
  #unannounced = false;

  constructor(
    authority: string,
    readonly tenant: string,
    private readonly settings: KeySettings,
    private readonly now: () => number = Date.now,
  ) {
    this.discoveryIssuer = new URL(`${authority}/${tenant}/v2.0`);
  }

  /** The key for a token's header: a jose key-lookup function. */
  readonly lookup: KeyLookup = async (header, token) => {
    const backingOff = this.now() < this.#unavailableUntil;
    const remote = backingOff ? this.#remote : await this.#discover();
    if (!remote) throw this.#unavailable();
    if (backingOff) return this.#fromLastKeys(remote, header, token);
    try {
      const key = await remote(header, token);
      this.#inOutage = false;
      return key;
    } catch (error) {
      if (!isEndpointFailure(error)) {
        this.#inOutage = false; // the endpoint answered (e.g. with no key for this kid)
        throw error;
      }
      this.#failed(`JWKS request failed: ${describe(error)}`);
      return this.#fromLastKeys(remote, header, token);
    }
  };

  #fromLastKeys(remote: RemoteKeys, header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const last: JSONWebKeySet | undefined = remote.jwks();
    if (!last) throw this.#unavailable();
    return createLocalJWKSet(last)(header, token);
  }

  #discover(): Promise<RemoteKeys> {
    if (this.#remote) return Promise.resolve(this.#remote);
    this.#discovering ??= this.#runDiscovery().finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  async #runDiscovery(): Promise<RemoteKeys> {
    const insecure = this.discoveryIssuer.protocol === 'http:';
    let jwksUri: string | undefined;
    try {
      const config = await client.discovery(this.discoveryIssuer, 'scim-bridge', undefined, undefined, {
        timeout: Math.ceil(this.settings.timeoutMs / 1000),
        execute: insecure ? [client.allowInsecureRequests] : [],
      });
      jwksUri = config.serverMetadata().jwks_uri;
      keyFetches.publish({ what: 'discovery', ok: true });
    } catch (error) {
      keyFetches.publish({ what: 'discovery', ok: false });
      this.#failed(`OpenID discovery at ${this.discoveryIssuer.href} failed: ${describe(error)}`);
      throw this.#unavailable(error);
    }
    if (!jwksUri) {
      this.#failed(`the discovery document of ${this.discoveryIssuer.href} has no jwks_uri`);
      throw this.#unavailable();
    }
    const url = new URL(jwksUri);
    // Keys over plain http only when the operator configured a plain-http authority (local tests).
    if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) {
      this.#failed(`the jwks_uri ${url.href} is not https`);
      throw this.#unavailable();
    }
    this.#remote = createRemoteJWKSet(url, {
      cacheMaxAge: this.settings.cacheMaxAgeMs,
      cooldownDuration: this.settings.cooldownMs,
      timeoutDuration: this.settings.timeoutMs,
      [customFetch]: (url, init) =>
        fetch(url, init).then(
          (response) => {
            keyFetches.publish({ what: 'jwks', ok: response.ok });
            return response;
          },
          (error: unknown) => {
            keyFetches.publish({ what: 'jwks', ok: false });
            throw error;
          },
        ),
    });
    return this.#remote;
  }

  #failed(reason: string): void {
    this.#lastFailure = reason;
    this.#unavailableUntil = this.now() + this.settings.cooldownMs;
    if (!this.#inOutage) this.#unannounced = true;
    this.#inOutage = true;
  }

  #unavailable(cause?: unknown): KeysUnavailable {
    const retryAfterSeconds = Math.max(1, Math.ceil((this.#unavailableUntil - this.now()) / 1000));
    const announce = this.#unannounced;
    this.#unannounced = false;
    return new KeysUnavailable(
      `signing keys of tenant ${this.tenant} are unavailable (${this.#lastFailure || 'no keys fetched yet'})`,
      retryAfterSeconds,
      { cause },
      announce,
    );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name}: ${error.message}${cause}`;
}
