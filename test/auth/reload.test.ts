/**
 * Credential rotation without a restart: both secrets work during the overlap, the removed one stops
 * after the reload, a request already authenticated finishes, and a broken new configuration changes
 * nothing. In-process (Gateway.reloadAuth, what SIGHUP calls); test/auth/sighup.test.ts does it once
 * through the real process.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/auth/secret-hash.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { SecretError } from '../../src/auth/secrets.js';
import { startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';

const OLD = 'old-rotating-secret-0123456789abcdef';
const NEW = 'new-rotating-secret-0123456789abcdef';
const HASHED = 'hashed-rotating-secret-0123456789ab';
const TENANT = '55555555-5555-4555-8555-555555555555';

let gw: TestGateway;
let idp: OidcProvider;

const configWith = (secrets: string, extra = '') =>
  ['security: { failedAuth: { maxFailures: 1000 } }', 'apps:', `  rot: { connector: store, auth: { secrets: [${secrets}]${extra} } }`, '  spare: { connector: store, auth: { secrets: [{ file: old.token }] } }', ''].join('\n');

function reloadWith(yaml: string) {
  const file = join(gw.dataDir, 'gateway.yaml');
  writeFileSync(file, yaml);
  return gw.gateway.reloadAuth(loadConfig(file, { dataDir: gw.dataDir }));
}

const status = async (token: string, app = 'rot') => (await gw.call(`${gw.origin}/apps/${app}/scim/v2/Users`, { token })).status;

beforeAll(async () => {
  idp = await startOidcProvider();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-reload-'));
  writeFileSync(join(dataDir, 'old.token'), `${OLD}\n`);
  writeFileSync(join(dataDir, 'new.token'), `  ${NEW}\n`);
  gw = await startGateway({ app: 'rot', env: {}, dataDir, configYaml: configWith('{ file: old.token }') });
});
afterAll(async () => {
  const { rmSync } = await import('node:fs');
  await gw?.close();
  if (gw) rmSync(gw.dataDir, { recursive: true, force: true });
  await idp?.close();
});

describe('secret rotation by reload', () => {
  it('before: only the old secret (read from a file, trimmed) works', async () => {
    expect(await status(OLD)).toBe(200);
    expect(await status(NEW)).toBe(401);
  });

  it('overlap: both secrets work', async () => {
    const summary = reloadWith(configWith('{ file: old.token }, { file: new.token }'));
    expect(summary).toEqual({ apps: ['rot', 'spare'], ignored: [], closed: [] });
    expect(await status(OLD)).toBe(200);
    expect(await status(NEW)).toBe(200);
  });

  it('after: the removed secret stops working; a request authenticated before the reload still completes', async () => {
    // Headers and half a body: authentication runs on the headers, then the body is awaited.
    const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'in-flight@example.com' });
    const url = new URL(`${gw.origin}/apps/rot/scim/v2/Users`);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${OLD}`, 'Content-Type': 'application/scim+json', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': 'in-flight-1' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      const waitForAuth = setInterval(() => {
        if (gw.logs.some((l) => l.includes('"in-flight-1"') && l.includes('"authenticated"'))) {
          clearInterval(waitForAuth);
          reloadWith(configWith('{ file: new.token }'));
          req.end(body.slice(10));
        }
      }, 5);
    });
    expect(await inFlight).toBe(201);
    expect(await status(OLD)).toBe(401);
    expect(await status(NEW)).toBe(200);
  });

  it('a broken new configuration is refused and the current credentials stay', async () => {
    expect(() => reloadWith('apps: [\n')).toThrow(ConfigError);
    expect(() => reloadWith(configWith('{ file: missing.token }'))).toThrow(SecretError);
    expect(() => reloadWith(configWith('{ env: NOT_SET_ANYWHERE }'))).toThrow(SecretError);
    expect(await status(NEW)).toBe(200);
    expect(await status(OLD)).toBe(401);
  });

  it('a stored scrypt hash works (twice: the second from the verification cache), next to a plain one', async () => {
    reloadWith(configWith(`{ file: new.token }, { hash: "${await hashSecret(HASHED, { N: 1024, r: 8, p: 1 })}" }`));
    expect(await status(HASHED)).toBe(200);
    expect(await status(HASHED)).toBe(200);
    expect(await status(`${HASHED}x`)).toBe(401);
    expect(await status(NEW)).toBe(200);
  });

  it('JWT settings reload too: an app starts accepting a tenant', async () => {
    const token = await idp.mint({ tenant: TENANT });
    expect(await status(token)).toBe(401);
    reloadWith(configWith('{ file: new.token }', `, entra: { tenants: [${TENANT}], authority: "${idp.authority}", v1IssuerBase: "${idp.v1IssuerBase}" }`));
    expect(await status(token)).toBe(200);
    expect(await status(NEW)).toBe(200);
  });

  it('apps cannot be added by a reload; a removed app stops authenticating', async () => {
    const summary = reloadWith(
      ['apps:', '  rot: { connector: store, auth: { secrets: [{ file: new.token }] } }', '  newcomer: { connector: store, auth: { secrets: [{ file: new.token }] } }', ''].join('\n'),
    );
    expect(summary).toEqual({ apps: ['rot'], ignored: ['newcomer'], closed: ['spare'] });
    expect(await status(NEW, 'newcomer')).toBe(401);
    expect(await status(OLD, 'spare')).toBe(401);
    expect(await status(NEW)).toBe(200);
  });
});
