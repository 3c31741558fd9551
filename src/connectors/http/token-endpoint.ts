/**
 * Tokens from an endpoint that is not textbook OAuth2 (Personio's `POST /auth`): credentials in a JSON
 * body or a form, the token at a path of the answer (`data.token`), its lifetime at another
 * (`data.expires_in`) or a configured one. Cached like OAuth2 tokens (until shortly before they expire,
 * on the injected clock); concurrent callers share the request in flight.
 */
import { getNative } from '../../plugins/native-paths.js';
import type { Clock } from './clock.js';
import { cachedTokens, parseTokenUrl, TokenRequestError, type TokenSource } from './oauth2.js';
import { linkSignals } from './signals.js';
import type { OutboundAuth } from './types.js';

export type TokenEndpointSettings = Extract<OutboundAuth, { type: 'token' }>;

/** A token answer is small; a larger one is not what we asked for. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The answer's text, or undefined when it is larger than `max` bytes (the rest is then not read). */
async function readCapped(response: Response, max: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > max) {
      await response.body.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createTokenEndpointSource(settings: TokenEndpointSettings, deps: { clock: Clock; signal: AbortSignal; timeoutMs: number }): TokenSource {
  const url = parseTokenUrl(settings.request.url, 'token auth: request.url');
  const { json, form } = settings.request;
  if (json && form) throw new TypeError('token auth: give the credentials as json or as form, not both');
  const secrets = Object.values({ ...json, ...form }).filter((v) => v !== '');

  return cachedTokens(deps.clock, secrets, async () => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (json) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const link = linkSignals([deps.signal], deps.timeoutMs);
    let response: Response;
    let text: string | undefined;
    try {
      response = await fetch(url, { method: settings.request.method, headers, ...(body === undefined ? {} : { body }), signal: link.signal, redirect: 'error' });
      text = await readCapped(response, MAX_ANSWER_BYTES);
    } catch {
      if (deps.signal.aborted) throw new TokenRequestError('unavailable', 'native client closed', false);
      if (link.timedOut()) throw new TokenRequestError('timeout', 'token request timed out', true);
      throw new TokenRequestError('network', 'token endpoint unreachable', true);
    } finally {
      link.dispose();
    }
    const status = response.status;
    if (status < 200 || status >= 300) {
      throw new TokenRequestError('http', `token endpoint answered ${status}`, status === 429 || status >= 500, status);
    }
    let answer: unknown;
    try {
      if (text === undefined) throw new Error('too large');
      answer = JSON.parse(text);
    } catch {
      throw new TokenRequestError('http', 'token endpoint answered something other than JSON', false, status);
    }
    const token = getNative(answer, settings.token);
    if (typeof token !== 'string' || token === '') {
      throw new TokenRequestError('http', `token endpoint answer has no token at "${settings.token}"`, false, status);
    }
    const lifetime = settings.expiresIn === undefined ? undefined : getNative(answer, settings.expiresIn);
    const expiresIn = typeof lifetime === 'number' ? lifetime : typeof lifetime === 'string' && /^\d{1,9}$/.test(lifetime) ? Number(lifetime) : settings.lifetimeSeconds;
    return { token, expiresIn };
  });
}
