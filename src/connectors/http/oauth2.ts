/**
 * OAuth2 client-credentials tokens for one client (one app), through openid-client. The token is cached
 * (lru-cache, on the injected clock) until shortly before it expires; concurrent requests that find no
 * token share the one grant in flight instead of each asking the authorization server.
 */
import * as oidc from 'openid-client';
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.js';
import { linkSignals } from './signals.js';
import type { DownstreamErrorKind, OutboundAuth } from './types.js';

export type OAuth2Settings = Extract<OutboundAuth, { type: 'oauth2' }>;

/** Renew this long before the server says the token expires, so a token never dies mid-request. */
const EXPIRY_MARGIN_S = 30;
/** Lifetime assumed when the server gives no `expires_in`. */
const DEFAULT_LIFETIME_S = 60;
/** Issued tokens remembered for log redaction after they leave the cache. */
const REMEMBERED_TOKENS = 4;

/** A failed token grant, told apart by what the client should do about it; never carries a secret. */
export class TokenRequestError extends Error {
  constructor(
    readonly kind: DownstreamErrorKind,
    message: string,
    /** True when trying again may help (network, timeout, 429/5xx). The native API was not called. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

export interface TokenSource {
  /** A valid access token: from the cache, from the grant in flight, or from a new grant. */
  token(): Promise<string>;
  /** Drops `token` from the cache after the API refused it (no-op when a newer one is cached already). */
  invalidate(token: string): void;
  /** The client secret and recently issued tokens, for redaction. */
  secrets(): string[];
}

/** Seconds to cache a token: up to `expires_in - 30`, never past half its life, never past its expiry. */
export function cacheLifetimeSeconds(expiresIn: number | undefined): number {
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) return DEFAULT_LIFETIME_S;
  return Math.max(expiresIn - EXPIRY_MARGIN_S, expiresIn / 2);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createTokenSource(settings: OAuth2Settings, deps: { clock: Clock; signal: AbortSignal; timeoutMs: number }): TokenSource {
  const tokenUrl = parseTokenUrl(settings.tokenUrl, 'oauth2: tokenUrl');
  if (settings.clientId === '' || settings.clientSecret === '') throw new TypeError('oauth2: clientId and clientSecret are required');

  const config = new oidc.Configuration(
    { issuer: tokenUrl.origin, token_endpoint: tokenUrl.href },
    settings.clientId,
    settings.clientSecret,
    oidc.ClientSecretPost(settings.clientSecret),
  );
  // openid-client refuses plain HTTP; a token endpoint on this machine (tests, a sidecar) is the one exception.
  if (tokenUrl.protocol === 'http:') oidc.allowInsecureRequests(config);
  config.timeout = Math.max(1, Math.ceil(deps.timeoutMs / 1000));
  // Closing the client also aborts a grant in flight.
  config[oidc.customFetch] = (url, options) => {
    const link = linkSignals(options.signal === undefined ? [deps.signal] : [options.signal, deps.signal]);
    return fetch(url, {
      ...options,
      // openid-client's body type (Uint8Array<ArrayBufferLike>) is wider than undici's typings; the values are the same.
      body: options.body as RequestInit['body'],
      signal: link.signal,
    }).finally(link.dispose);
  };

  const parameters: Record<string, string> = {};
  if (settings.scope !== undefined) parameters.scope = settings.scope;
  if (settings.audience !== undefined) parameters.audience = settings.audience;

  return cachedTokens(deps.clock, [settings.clientSecret], async () => {
    let response: Awaited<ReturnType<typeof oidc.clientCredentialsGrant>>;
    try {
      response = await oidc.clientCredentialsGrant(config, parameters);
    } catch (err) {
      throw tokenError(err, deps.signal);
    }
    if (response.token_type !== 'bearer') {
      throw new TokenRequestError('http', `OAuth2 token type ${JSON.stringify(response.token_type)} is not supported`, false);
    }
    return { token: response.access_token, expiresIn: response.expires_in };
  });
}

/**
 * One cached token, fetched by `fetchToken` when there is none: cached until shortly before it expires
 * (on `clock`), concurrent callers sharing the request in flight; recent tokens are remembered for log
 * redaction beside the fixed `secrets`.
 */
export function cachedTokens(clock: Clock, secrets: readonly string[], fetchToken: () => Promise<{ token: string; expiresIn: number | undefined }>): TokenSource {
  // ttlResolution 0: read the clock on every get (a fake clock may jump). The +1: lru-cache takes an
  // entry stored at time 0 for one without a TTL, and a clock may well start at 0.
  const cache = new LRUCache<'token', string>({ max: 1, ttlResolution: 0, perf: { now: () => clock.now() + 1 } });
  const issued: string[] = [];
  let inFlight: Promise<string> | undefined;

  async function fill(): Promise<string> {
    const { token, expiresIn } = await fetchToken();
    issued.push(token);
    if (issued.length > REMEMBERED_TOKENS) issued.shift();
    cache.set('token', token, { ttl: cacheLifetimeSeconds(expiresIn) * 1000 });
    return token;
  }

  return {
    token() {
      const cached = cache.get('token');
      if (cached !== undefined) return Promise.resolve(cached);
      inFlight ??= fill().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cache.get('token') === token) cache.delete('token');
    },
    secrets: () => [...secrets, ...issued],
  };
}

/** A token endpoint's URL: absolute, https (plain http only on loopback), no credentials in it. `what` names it in messages. */
export function parseTokenUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${what} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new TypeError(`${what} must be https (plain http only on the loopback interface)`);
  }
  if (url.username !== '' || url.password !== '') throw new TypeError(`${what} must not carry credentials`);
  return url;
}

/** Translates openid-client's failures; messages are built here so nothing the server echoed leaks. */
function tokenError(err: unknown, closeSignal: AbortSignal): TokenRequestError {
  if (closeSignal.aborted) return new TokenRequestError('unavailable', 'native client closed', false);
  if (err instanceof oidc.ResponseBodyError) {
    const code = /^[A-Za-z0-9_.-]{1,64}$/.test(err.error) ? err.error : 'error';
    return new TokenRequestError('http', `OAuth2 token request refused (${err.status} ${code})`, err.status === 429 || err.status >= 500, err.status);
  }
  if (err instanceof oidc.ClientError) {
    if (err.code === 'OAUTH_TIMEOUT') return new TokenRequestError('timeout', 'OAuth2 token request timed out', true);
    if (err.cause instanceof Response) {
      const status = err.cause.status;
      return new TokenRequestError('http', `OAuth2 token endpoint answered ${status}`, status === 429 || status >= 500, status);
    }
    return new TokenRequestError('http', `OAuth2 token response unusable (${err.code ?? 'invalid'})`, false);
  }
  if (err instanceof TypeError) return new TokenRequestError('network', 'OAuth2 token endpoint unreachable', true);
  return new TokenRequestError('http', 'OAuth2 token request failed', false);
}
