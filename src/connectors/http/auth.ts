/**
 * Outbound credentials: the headers that authenticate the gateway to a native API. Static schemes are
 * rendered once; oauth2 asks its token source on every request (a cache hit almost always).
 */
import type { Clock } from './clock.js';
import { createTokenSource, TokenRequestError, type TokenSource } from './oauth2.js';
import { createTokenEndpointSource } from './token-endpoint.js';
import type { OutboundAuth } from './types.js';

export interface AuthHeaders {
  headers: Record<string, string>;
  /** The oauth2 token these headers carry; undefined for schemes that cannot be refreshed. */
  token?: string;
}

export interface OutboundAuthenticator {
  headers(): Promise<AuthHeaders>;
  /**
   * The API answered `status` to a request sent with `used`. Returns true when the status means the token
   * went stale and asking again with a fresh one may help (a token scheme's `refreshOn`, 401 by default;
   * some APIs say 403): the cached token is dropped, the next `headers()` gets a new one.
   */
  refreshAfterRefusal(status: number, used: AuthHeaders): boolean;
  /** Every credential value that may appear on the wire now, for redaction. */
  secrets(): string[];
}

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible Latin-1, space and tab (fetch sends header values as bytes); no CR, LF or NUL to split a header. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function createOutboundAuth(auth: OutboundAuth, deps: { clock: Clock; signal: AbortSignal; timeoutMs: number }): OutboundAuthenticator {
  switch (auth.type) {
    case 'none':
      return staticAuth({}, []);
    case 'header': {
      if (!HEADER_NAME.test(auth.header)) throw new TypeError('header auth: invalid header name');
      requireSecret(auth.value, 'header auth: value');
      // The prefix is a scheme-like word (e.g. "Bearer", "Token") joined to the key by one space.
      const value = auth.prefix === undefined || auth.prefix === '' ? auth.value : `${auth.prefix} ${auth.value}`;
      return staticAuth({ [auth.header]: value }, [auth.value, value]);
    }
    case 'basic': {
      // RFC 7617: the user-id cannot contain a colon; both parts are sent as UTF-8.
      if (auth.username.includes(':')) throw new TypeError('basic auth: username must not contain ":"');
      requireSecret(auth.password, 'basic auth: password');
      const credentials = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return staticAuth({ Authorization: `Basic ${credentials}` }, [auth.password, credentials]);
    }
    case 'bearer':
      requireSecret(auth.token, 'bearer auth: token');
      return staticAuth({ Authorization: `Bearer ${auth.token}` }, [auth.token]);
    case 'oauth2':
      return tokenAuth(createTokenSource(auth, deps), 'Authorization', 'Bearer', auth.refreshOn ?? [401]);
    case 'token':
      if (!HEADER_NAME.test(auth.header)) throw new TypeError('token auth: invalid header name');
      return tokenAuth(createTokenEndpointSource(auth, deps), auth.header, auth.prefix, auth.refreshOn);
  }
}

/** A fetched token sent as `<header>: <prefix> <token>`, dropped and fetched again after a `refreshOn` status. */
function tokenAuth(tokens: TokenSource, header: string, prefix: string, refreshOn: readonly number[]): OutboundAuthenticator {
  return {
    headers: async () => {
      const token = await tokens.token();
      const value = prefix === '' ? token : `${prefix} ${token}`;
      if (!HEADER_VALUE.test(value)) throw new TokenRequestError('http', 'the token endpoint gave a token a header cannot carry', false);
      return { headers: { [header]: value }, token };
    },
    refreshAfterRefusal: (status, used) => {
      if (used.token === undefined || !refreshOn.includes(status)) return false;
      tokens.invalidate(used.token);
      return true;
    },
    secrets: () => tokens.secrets(),
  };
}

function staticAuth(headers: Record<string, string>, secrets: string[]): OutboundAuthenticator {
  for (const value of Object.values(headers)) {
    if (!HEADER_VALUE.test(value)) throw new TypeError('outbound auth: credential contains characters a header cannot carry');
  }
  const rendered = Promise.resolve({ headers });
  return { headers: () => rendered, refreshAfterRefusal: () => false, secrets: () => secrets };
}

function requireSecret(value: string, what: string): void {
  if (value === '') throw new TypeError(`${what} is empty`);
}
