/**
 * Connection settings shared by every connector that calls out (rest and scim): the `connection:` section of
 * a plugin checked at load (credential templates, token URLs, headers) and turned into the native client's
 * settings once the app's downstream (base URL and credentials) is known.
 */
import type { ConnectionSettings, OutboundAuth } from '../connectors/http/types.js';
import type { AuthInput, PluginFile } from '../plugins/format.js';
import type { Problem } from '../plugins/mapping.js';
import { checkValueTemplate, renderValue } from '../plugins/templates.js';
import type { Downstream } from '../plugins/types.js';

/** The `connection:` section of a plugin file, as its schema gives it. */
export type ConnectionInput = PluginFile['connection'];

/** Every credential template of the auth settings, with where it is. */
function authTemplates(auth: AuthInput): [string[], string][] {
  const out: [string[], string][] = [];
  for (const [key, value] of Object.entries(auth)) {
    if (key === 'type' || key === 'header' || key === 'prefix' || key === 'token' || key === 'expiresIn') continue;
    if (typeof value === 'string') out.push([[key], value]);
  }
  if (auth.type === 'token') {
    out.push([['request', 'url'], auth.request.url]);
    for (const part of ['json', 'form'] as const) {
      for (const [name, value] of Object.entries(auth.request[part] ?? {})) out.push([['request', part, name], value]);
    }
  }
  return out;
}

/** A token URL is absolute (https, or http on loopback) or, starting with "/", relative to the app's base URL. */
function checkTokenUrl(template: string, at: string[], problems: Problem[]): void {
  const literal = template.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x');
  if (literal.startsWith('/')) {
    if (literal.startsWith('//')) problems.push({ path: at, message: `"${template}" is neither an absolute URL nor a path below the base URL` });
    return;
  }
  if (!/^https?:\/\/[^\s/]+/i.test(literal)) {
    problems.push({ path: at, message: `"${template}" must be an absolute http(s) URL, or a path starting with "/" below the app's base URL` });
  }
}

export function checkConnection(connection: ConnectionInput, credentials: string[], problems: Problem[]): void {
  const auth = connection.auth;
  for (const [key, value] of authTemplates(auth)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'auth', ...key], message: `${(error as Error).message.replace('this operation offers', 'credentials are')}` });
    }
  }
  if (auth.type === 'oauth2') checkTokenUrl(auth.tokenUrl, ['connection', 'auth', 'tokenUrl'], problems);
  if (auth.type === 'token') {
    checkTokenUrl(auth.request.url, ['connection', 'auth', 'request', 'url'], problems);
    if (auth.request.json && auth.request.form) problems.push({ path: ['connection', 'auth', 'request'], message: 'give the credentials as "json" or as "form", not both' });
  }
  for (const [name, value] of Object.entries(connection.headers)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'headers', name], message: (error as Error).message.replace('this operation offers', 'credentials are') });
    }
  }
}

/** A token URL as the client needs it: relative ones are resolved below the app's base URL. */
function tokenUrlOf(url: string, baseUrl: string): string {
  return url.startsWith('/') ? `${baseUrl.replace(/\/+$/, '')}${url}` : url;
}

export function connectionSettings(connection: ConnectionInput, downstream: Downstream): ConnectionSettings {
  const fill = (t: string) => renderValue(t, downstream.credentials) as string;
  const fillAll = (record: Record<string, string> | undefined) => record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fill(v)]));
  const a = connection.auth;
  let auth: OutboundAuth;
  switch (a.type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'header':
      auth = { type: 'header', header: a.header, value: fill(a.value), ...(a.prefix === undefined ? {} : { prefix: a.prefix }) };
      break;
    case 'basic':
      auth = { type: 'basic', username: fill(a.username), password: fill(a.password) };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: fill(a.token) };
      break;
    case 'oauth2':
      auth = {
        type: 'oauth2',
        tokenUrl: tokenUrlOf(fill(a.tokenUrl), downstream.baseUrl),
        clientId: fill(a.clientId),
        clientSecret: fill(a.clientSecret),
        ...(a.scope === undefined ? {} : { scope: fill(a.scope) }),
        ...(a.audience === undefined ? {} : { audience: fill(a.audience) }),
        refreshOn: a.refreshOn,
      };
      break;
    case 'token': {
      const json = fillAll(a.request.json);
      const form = fillAll(a.request.form);
      auth = {
        type: 'token',
        request: { method: a.request.method, url: tokenUrlOf(fill(a.request.url), downstream.baseUrl), ...(json ? { json } : {}), ...(form ? { form } : {}) },
        token: a.token,
        ...(a.expiresIn === undefined ? {} : { expiresIn: a.expiresIn }),
        lifetimeSeconds: a.lifetimeSeconds,
        header: a.header,
        prefix: a.prefix,
        refreshOn: a.refreshOn,
      };
      break;
    }
  }
  const headers = Object.fromEntries(Object.entries(connection.headers).map(([k, v]) => [k, fill(v)]));
  const { timeoutMs, rateLimit, retry } = connection;
  return {
    baseUrl: downstream.baseUrl,
    auth,
    ...(Object.keys(headers).length ? { headers } : {}),
    timeoutMs,
    rateLimit: { ...rateLimit },
    retry: { ...retry },
  };
}
