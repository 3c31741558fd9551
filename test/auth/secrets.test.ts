/**
 * Secret sources (env, file, sha256, scrypt hash), the stored-hash format, the environment contract of
 * the default and demo configurations, and the configuration problems the loader reports.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hashSecretCommand } from '../../src/auth/hash-secret-command.js';
import { hashSecret, parseSecretHash, SecretHashError, verifySecretHash } from '../../src/auth/secret-hash.js';
import { SecretVerifier } from '../../src/auth/secret-verifier.js';
import { resolveSecrets, SecretError } from '../../src/auth/secrets.js';
import { appTokenEnvName, SHARED_TOKEN_ENV } from '../../src/auth/token-env.js';
import { looksLikeJwt } from '../../src/auth/verdict.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-secrets-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(yaml: string): string[] {
  const dir = configDir({ 'gateway.yaml': yaml });
  try {
    loadConfig(join(dir, 'gateway.yaml'), { dataDir: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the environment contract', () => {
  it.each([
    { app: 'directory', expected: 'SCIM_BRIDGE_TOKEN_DIRECTORY' },
    { app: '15five', expected: 'SCIM_BRIDGE_TOKEN_15FIVE' },
    { app: 'acme-15five', expected: 'SCIM_BRIDGE_TOKEN_ACME_15FIVE' },
    { app: 'hr_eu-2', expected: 'SCIM_BRIDGE_TOKEN_HR_EU_2' },
  ])('app $app reads $expected', ({ app, expected }) => {
    expect(appTokenEnvName(app)).toBe(expected);
  });

  // Read as plain YAML: loading a demo would also need its downstream credentials in the environment.
  const configDirPath = resolve(import.meta.dirname, '../../config');
  const shipped = readdirSync(configDirPath).filter((f) => /\.ya?ml$/.test(f));
  it.each(shipped)('every app of config/%s reads SCIM_BRIDGE_TOKEN_<APP>, then SCIM_BRIDGE_TOKEN', (file) => {
    const doc = parse(readFileSync(join(configDirPath, file), 'utf8')) as { apps?: Record<string, { auth?: { secrets?: { env?: unknown }[] } }> };
    const apps = Object.entries(doc.apps ?? {});
    expect(apps.length).toBeGreaterThan(0);
    for (const [name, app] of apps) {
      const envSources = (app.auth?.secrets ?? []).filter((s) => s.env !== undefined).map((s) => s.env);
      expect(envSources, name).toEqual([[appTokenEnvName(name), SHARED_TOKEN_ENV]]);
    }
  });
});

describe('secret sources', () => {
  const SECRET = 'a-file-secret-0123456789abcdef';
  const load = (yaml: string, files: Record<string, string> = {}) => {
    const dir = configDir({ 'gateway.yaml': yaml, ...files });
    return { config: loadConfig(join(dir, 'gateway.yaml'), { dataDir: dir }), dir };
  };

  it('file (relative to the configuration, trimmed), sha256 and scrypt hash, all live at once', async () => {
    const sha = createHash('sha256').update('a-sha-secret-0123456789abcdef').digest('hex');
    const hash = await hashSecret('a-hashed-secret-0123456789abcd', CHEAP);
    const { config } = load(
      `apps:\n  hr:\n    connector: store\n    auth:\n      secrets: [{ file: s.token }, { sha256: ${sha} }, { hash: "${hash}" }]\n`,
      { 's.token': `\n  ${SECRET}  \n` },
    );
    const resolved = resolveSecrets(config.apps.get('hr')!, {}, '/unused');
    expect(resolved.origins).toEqual([expect.stringMatching(/^file .*s\.token$/), 'sha256 digest', 'scrypt hash']);
    const verifier = new SecretVerifier(resolved);
    const table = [
      { candidate: SECRET, expected: true },
      { candidate: 'a-sha-secret-0123456789abcdef', expected: true },
      { candidate: 'a-hashed-secret-0123456789abcd', expected: true },
      { candidate: `${SECRET} `, expected: false },
      { candidate: 'a-hashed-secret-0123456789abcD', expected: false },
      { candidate: '', expected: false },
    ];
    for (const { candidate, expected } of table) expect(await verifier.verify(candidate), candidate).toBe(expected);
  });

  it('a secret file that is missing or too short stops start-up', () => {
    const yaml = 'apps:\n  hr:\n    connector: store\n    auth: { secrets: [{ file: s.token }] }\n';
    expect(() => resolveSecrets(load(yaml).config.apps.get('hr')!, {}, '/unused')).toThrow(/cannot be read/);
    expect(() => resolveSecrets(load(yaml, { 's.token': 'short\n' }).config.apps.get('hr')!, {}, '/unused')).toThrow(SecretError);
  });

  it('an Entra-only app needs no secret; with a secret source unset, whenUnset still decides', () => {
    const entra = 'entra: { tenants: [11111111-1111-4111-8111-111111111111] }';
    const jwtOnly = load(`apps:\n  hr:\n    connector: store\n    auth: { ${entra} }\n`).config;
    expect(resolveSecrets(jwtOnly.apps.get('hr')!, {}, '/unused').digests).toEqual([]);
    const unset = load(`apps:\n  hr:\n    connector: store\n    auth: { secrets: [{ env: HR_TOKEN }], ${entra} }\n`).config;
    expect(() => resolveSecrets(unset.apps.get('hr')!, {}, '/unused')).toThrow(/no secret is set \(tried HR_TOKEN\)/);
  });
});

describe('configuration problems', () => {
  it.each([
    { name: 'two kinds in one source', auth: '{ secrets: [{ env: A, file: b }] }', problem: /secrets\.0: give exactly one of env, file, sha256, hash/ },
    { name: 'a literal secret', auth: '{ secrets: [{ value: "x" }] }', problem: /unknown key\(s\) "value"/ },
    { name: 'a bad sha256', auth: '{ secrets: [{ sha256: abc }] }', problem: /sha256: must be 64 hex digits/ },
    { name: 'a malformed hash', auth: '{ secrets: [{ hash: "scrypt$1$2" }] }', problem: /hash: not a scrypt\$N\$r\$p\$salt\$hash string/ },
    { name: 'an absurd scrypt cost', auth: `{ secrets: [{ hash: "scrypt$2097152$8$1$${'A'.repeat(22)}$${'A'.repeat(43)}" }] }`, problem: /scrypt N must be a power of two/ },
    { name: 'a tenant that is not a GUID', auth: '{ entra: { tenants: [contoso.onmicrosoft.com] } }', problem: /tenants\.0: must be an Entra tenant id/ },
    { name: 'no tenant', auth: '{ entra: { tenants: [] } }', problem: /entra\.tenants/ },
    { name: 'too much clock skew', auth: '{ entra: { tenants: [11111111-1111-4111-8111-111111111111], clockSkewSeconds: 3600 } }', problem: /clockSkewSeconds/ },
    { name: 'a non-http authority', auth: '{ entra: { tenants: [11111111-1111-4111-8111-111111111111], authority: "ftp://x" } }', problem: /authority: must be an http\(s\) URL/ },
    { name: 'nobody could call it', auth: '{ secrets: [] }', problem: /no secret sources, no entra and whenUnset is "refuse"/ },
  ])('$name', ({ auth, problem }) => {
    expect(problemsOf(`apps:\n  hr:\n    connector: store\n    auth: ${auth}\n`)).toContainEqual(expect.stringMatching(problem));
  });

  it('security: rate-limit overrides must name apps; header timeout within the request timeout', () => {
    const problems = problemsOf(
      'security:\n  appRateLimit: { apps: { nope: { requestsPerSecond: 1, burst: 1 } } }\napps:\n  hr: { connector: store, auth: { whenUnset: generate } }\n',
    );
    expect(problems).toEqual([expect.stringContaining('security.appRateLimit.apps.nope: no such app')]);
    expect(
      problemsOf('security:\n  http: { headersTimeoutSeconds: 30, requestTimeoutSeconds: 10 }\napps:\n  hr: { connector: store, auth: { whenUnset: generate } }\n'),
    ).toEqual([expect.stringContaining('headersTimeoutSeconds must not exceed requestTimeoutSeconds')]);
  });

  it('security defaults: generous per-app rate, per-address failure throttle, node limits', () => {
    const { security } = loadConfig(resolve(import.meta.dirname, '../../config/gateway.yaml'), { dataDir: '/unused' });
    expect(security).toEqual({
      trustProxy: false,
      failedAuth: { maxFailures: 20, windowSeconds: 60, trackedAddresses: 50_000 },
      appRateLimit: { requestsPerSecond: 200, burst: 400, apps: {} },
      http: { maxHeaderBytes: 16_384, requestTimeoutSeconds: 60, headersTimeoutSeconds: 20, keepAliveTimeoutSeconds: 65 },
    });
  });
});

describe('stored scrypt hashes', () => {
  it('round-trips, with a fresh salt each time', async () => {
    const a = await hashSecret('same-secret-0123456789', CHEAP);
    const b = await hashSecret('same-secret-0123456789', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifySecretHash('same-secret-0123456789', parseSecretHash(a))).toBe(true);
    expect(await verifySecretHash('same-secret-012345678', parseSecretHash(a))).toBe(false);
  });

  it('a candidate is hashed only when mayHash allows, and only once whichever way it went', async () => {
    const hashed = 'a-hashed-secret-0123456789abcd';
    const digested = 'a-digested-secret-0123456789ab';
    const verifier = new SecretVerifier({ digests: [createHash('sha256').update(digested).digest()], hashes: [parseSecretHash(await hashSecret(hashed, CHEAP))] });
    const asked: string[] = [];
    const allow = (answer: boolean, who: string) => async () => {
      asked.push(who);
      return answer;
    };
    // A digest match, and a hash the gateway is not allowed to run: neither asks / both refuse without hashing.
    expect(await verifier.verify(digested, allow(false, 'digested'))).toBe(true);
    expect(await verifier.verify(hashed, allow(false, 'hashed refused'))).toBe(false);
    // Allowed once: verified, then remembered (not asked again even when hashing would be refused).
    expect(await verifier.verify(hashed, allow(true, 'hashed'))).toBe(true);
    expect(await verifier.verify(hashed, allow(false, 'hashed again'))).toBe(true);
    // A stale secret fails once, then fails from memory: a client repeating it never costs a hash again.
    expect(await verifier.verify('the-removed-secret-0123456789ab', allow(true, 'stale'))).toBe(false);
    expect(await verifier.verify('the-removed-secret-0123456789ab', allow(true, 'stale again'))).toBe(false);
    expect(asked).toEqual(['hashed refused', 'hashed', 'stale']);
  });

  it.each(['scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'scrypt$1024$99$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'pbkdf2$x', ''])(
    'refuses %j',
    (text) => {
      expect(() => parseSecretHash(text)).toThrow(SecretHashError);
    },
  );

  it('`scim-bridge hash-secret` reads the secret from stdin and prints a hash that verifies it', async () => {
    const run = async (input: string, args: string[] = ['--cost', '1024']) => {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c) => (out += c));
      stderr.on('data', (c) => (err += c));
      stdin.end(input);
      const code = await hashSecretCommand(args, { stdin, stdout, stderr });
      return { code, out, err };
    };
    const ok = await run('piped-secret-0123456789abcdef\n');
    expect(ok.code).toBe(0);
    expect(ok.out).not.toContain('piped-secret');
    expect(await verifySecretHash('piped-secret-0123456789abcdef', parseSecretHash(ok.out.trim()))).toBe(true);
    expect((await run('short\n')).code).toBe(1);
    expect((await run(' padded-secret-0123456789abcdef')).code).toBe(1);
    expect((await run('piped-secret-0123456789abcdef', ['--cost', '1000'])).code).toBe(2);
  });
});

describe('JWT shape', () => {
  it.each([
    { token: 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln', expected: true },
    { token: 'eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.', expected: true },
    { token: 'plain-secret-0123456789', expected: false },
    { token: 'a.b', expected: false },
    { token: 'a.b.c.d', expected: false },
    { token: 'a+b.c.d', expected: false },
  ])('$token → $expected', ({ token, expected }) => {
    expect(looksLikeJwt(token)).toBe(expected);
  });
});
