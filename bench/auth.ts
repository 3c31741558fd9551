/**
 * `npm run bench:auth`: what authenticating by Entra-issued JWT costs against a bearer secret, on the
 * call Entra makes most (GET /Users?filter=userName eq "..."). One gateway (dist/src/main.js in a child
 * process) serves an app that accepts both; a local OpenID provider in this process publishes the keys
 * and mints the token. Secret and JWT runs alternate, so drift on a shared machine touches both alike.
 *
 * Two configurations, on the same data: the default (a verified token is remembered by its SHA-256 for
 * `tokenCacheSeconds`, as Entra sends one token for a whole cycle), and `tokenCacheSeconds: 0` (every
 * request pays the full RS256 verification). The issue's target — the JWT path costs at most 15% of
 * throughput — is checked on the default. Env: BENCH_SECONDS (default 10), BENCH_USERS (default 10000),
 * BENCH_ROUNDS (default 2), BENCH_LOG_LEVEL (default info). `--json` prints the figures as JSON.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCredentials } from '../src/auth/credentials.js';
import { loadConfig } from '../src/config/load.js';
import { startOidcProvider, type OidcProvider } from '../test/support/oidc-provider.js';
import { freePort, installCleanup, removeAtExit, startServer, stopServer, type ServerChild } from './children.js';
import { measure, type LoadSettings, type Measurement } from './load.js';
import { preloadUsers } from './preload.js';
import { SCIM_BASE_PATH, type Scenario, type Target } from './scenarios.js';
import { benchCli, REPO_ROOT, UsageError } from './cli.js';

const GATEWAY_SCRIPT = join(REPO_ROOT, 'dist/src/main.js');
const TENANT = '9b4f3c2a-1d5e-4f60-8a7b-0c1d2e3f4a5b';
const TARGET_RATIO = 0.85;

const cli = benchCli('bench:auth');
const { progress, intFromEnv } = cli;

/** The app accepts its secret and JWTs of one tenant from the local provider; no limit gets in the way. */
function configYaml(idp: OidcProvider, tokenCacheSeconds: number): string {
  return [
    'security:',
    '  failedAuth: { maxFailures: 100000 }',
    '  appRateLimit: { requestsPerSecond: 1000000, burst: 1000000 }',
    'apps:',
    '  directory:',
    '    connector: store',
    '    auth:',
    '      secrets: [{ env: [SCIM_BRIDGE_TOKEN_DIRECTORY, SCIM_BRIDGE_TOKEN] }]',
    `      entra: { tenants: [${TENANT}], authority: "${idp.authority}", v1IssuerBase: "${idp.v1IssuerBase}", tokenCacheSeconds: ${tokenCacheSeconds} }`,
    // The preloaded users carry the enterprise extension, as Entra's do.
    '    schemas: { User: [urn:ietf:params:scim:schemas:extension:enterprise:2.0:User] }',
    '',
  ].join('\n');
}

const filterByUserName: Scenario = {
  name: 'GET filter userName eq',
  requests: (t) => [
    {
      method: 'GET',
      setupRequest: (req) => {
        const userName = t.userNames[Math.floor(Math.random() * t.userNames.length)]!;
        req.path = `${SCIM_BASE_PATH}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
        return req;
      },
    },
  ],
};

const headersFor = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/scim+json' });

async function startGateway(dataDir: string, configFile: string, secret: string, logLevel: string): Promise<ServerChild> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    SCIM_BRIDGE_TOKEN: secret,
    SCIM_BRIDGE_DATA_DIR: dataDir,
    SCIM_BRIDGE_CONFIG: configFile,
    SCIM_BRIDGE_LOG_LEVEL: logLevel,
  };
  delete env.SCIM_BRIDGE_TOKEN_DIRECTORY;
  return startServer({ name: 'gateway', script: GATEWAY_SCRIPT, cwd: REPO_ROOT, env, port, healthUrl: `http://127.0.0.1:${port}/healthz` });
}

/** Both credentials must find the same user before anything is measured (a 401 would measure fast). */
async function verify(origin: string, userName: string, tokens: Record<string, string>): Promise<void> {
  for (const [name, token] of Object.entries(tokens)) {
    const res = await fetch(`${origin}${SCIM_BASE_PATH}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, {
      headers: headersFor(token),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { totalResults?: number };
    if (res.status !== 200 || body.totalResults !== 1) throw new Error(`bench:auth: the ${name} request answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/**
 * The authentication step alone, in this process, on the same configurations: microseconds per check.
 * Far less noisy than req/s on a shared machine, and says where a difference in throughput comes from.
 */
async function authStepMicroseconds(configFile: string, dataDir: string, secret: string, token: string): Promise<number> {
  const config = loadConfig(configFile, { dataDir });
  const credentials = buildCredentials(config, { SCIM_BRIDGE_TOKEN: secret })!.get('directory')!;
  const iterations = 20_000;
  for (let i = 0; i < 2_000; i += 1) await credentials.check(token);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const verdict = await credentials.check(token);
    if (!verdict.ok) throw new Error(`bench:auth: the auth step refused the credential: ${verdict.reason}`);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

interface Row {
  name: string;
  runs: Measurement[];
  requestsPerSecond: number;
}

const row = (name: string, runs: Measurement[]): Row => ({
  name,
  runs,
  requestsPerSecond: runs.reduce((sum, m) => sum + m.requestsPerSecond, 0) / runs.length,
});

async function main(): Promise<void> {
  const { json } = cli.flags(process.argv.slice(2), ['json']);
  const settings: LoadSettings = { connections: 10, warmupSeconds: 2, seconds: intFromEnv('BENCH_SECONDS', 10, 1, 600) };
  const users = intFromEnv('BENCH_USERS', 10_000, 1, 1_000_000);
  const rounds = intFromEnv('BENCH_ROUNDS', 2, 1, 20);
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  if (!existsSync(GATEWAY_SCRIPT)) throw new UsageError(`bench:auth: ${GATEWAY_SCRIPT} does not exist (npm run build)`);
  installCleanup();

  const idp = await startOidcProvider();
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-auth-'));
  removeAtExit(dataDir);
  const secret = randomBytes(24).toString('hex');
  const jwt = await idp.mint({ tenant: TENANT });
  const cachedConfig = join(dataDir, 'cached.yaml');
  const uncachedConfig = join(dataDir, 'uncached.yaml');
  writeFileSync(cachedConfig, configYaml(idp, 120));
  writeFileSync(uncachedConfig, configYaml(idp, 0));

  progress('timing the authentication step in-process');
  const step = {
    secret: await authStepMicroseconds(cachedConfig, dataDir, secret, secret),
    jwtCached: await authStepMicroseconds(cachedConfig, dataDir, secret, jwt),
    jwtUncached: await authStepMicroseconds(uncachedConfig, dataDir, secret, jwt),
  };

  const rows: Row[] = [];
  let server: ServerChild | undefined;
  try {
    progress(`starting the gateway (data dir ${dataDir})`);
    server = await startGateway(dataDir, cachedConfig, secret, logLevel);
    let origin = `http://127.0.0.1:${server.port}`;
    progress(`preloading ${users} users`);
    const preload = await preloadUsers(origin, { ...headersFor(secret), 'content-type': 'application/scim+json' }, users, 16);
    const target = (token: string): Target => ({ headers: headersFor(token), userNames: preload.userNames, ids: preload.ids, runTag: 'auth' });
    await verify(origin, preload.userNames[0]!, { secret, jwt });

    const run = async (name: string, token: string) => {
      progress(`${name} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)`);
      return measure(origin, filterByUserName, target(token), settings);
    };
    const secretRuns: Measurement[] = [];
    const jwtRuns: Measurement[] = [];
    for (let i = 0; i < rounds; i += 1) {
      secretRuns.push(await run('secret', secret));
      jwtRuns.push(await run('JWT (default: verified token cached)', jwt));
    }
    rows.push(row('secret', secretRuns), row('JWT, default (cached by SHA-256)', jwtRuns));

    progress('restarting with tokenCacheSeconds: 0 (same data)');
    await stopServer(server);
    server = await startGateway(dataDir, uncachedConfig, secret, logLevel);
    origin = `http://127.0.0.1:${server.port}`;
    await verify(origin, preload.userNames[0]!, { secret, jwt });
    const secretRuns2: Measurement[] = [];
    const uncachedRuns: Measurement[] = [];
    for (let i = 0; i < rounds; i += 1) {
      secretRuns2.push(await run('secret', secret));
      uncachedRuns.push(await run('JWT (tokenCacheSeconds: 0: RS256 verified every request)', jwt));
    }
    rows.push(row('secret (second gateway)', secretRuns2), row('JWT, tokenCacheSeconds: 0', uncachedRuns));
  } finally {
    if (server) await stopServer(server);
    await idp.close();
  }

  const [secretRow, cachedRow, secretRow2, uncachedRow] = rows as [Row, Row, Row, Row];
  const cachedRatio = cachedRow.requestsPerSecond / secretRow.requestsPerSecond;
  const uncachedRatio = uncachedRow.requestsPerSecond / secretRow2.requestsPerSecond;
  const bad = rows.flatMap((r) => r.runs.filter((m) => m.non2xx + m.errors + m.warmupFailures > 0).map((m) => `${r.name}: ${m.non2xx} non-2xx ${JSON.stringify(m.failedStatuses)}, ${m.errors} errors, ${m.warmupFailures} warm-up failures`));
  const report = {
    node: process.version,
    cpus: availableParallelism(),
    connections: settings.connections,
    seconds: settings.seconds,
    rounds,
    users,
    logLevel,
    rows: rows.map((r) => ({ name: r.name, requestsPerSecond: Math.round(r.requestsPerSecond), latencyP50Ms: r.runs.map((m) => m.latencyP50Ms), latencyP99Ms: r.runs.map((m) => m.latencyP99Ms) })),
    jwtOverSecret: { cached: cachedRatio, uncached: uncachedRatio, target: TARGET_RATIO },
    authStepMicroseconds: step,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `GET /Users?filter=userName eq "..." — ${users} users, ${settings.connections} connections, ${rounds} × ${settings.seconds} s per row, node ${process.version}, ${availableParallelism()} CPUs, log level ${logLevel}`,
      '',
      `${'credential'.padEnd(40)} ${'req/s'.padStart(8)}   p50 / p99 ms per run`,
      ...rows.map((r) => `${r.name.padEnd(40)} ${String(Math.round(r.requestsPerSecond)).padStart(8)}   ${r.runs.map((m) => `${m.latencyP50Ms} / ${m.latencyP99Ms}`).join(', ')}`),
      '',
      `JWT ÷ secret, default configuration: ${cachedRatio.toFixed(3)} (cost ${((1 - cachedRatio) * 100).toFixed(1)}%; target ≥ ${TARGET_RATIO}: ${cachedRatio >= TARGET_RATIO ? 'met' : 'MISSED'})`,
      `JWT ÷ secret, tokenCacheSeconds: 0:    ${uncachedRatio.toFixed(3)} (cost ${((1 - uncachedRatio) * 100).toFixed(1)}%)`,
      '',
      `the authentication step alone (in-process, µs per request): secret ${step.secret.toFixed(1)}, JWT cached ${step.jwtCached.toFixed(1)}, JWT uncached ${step.jwtUncached.toFixed(1)}`,
      `  at most ${(((step.jwtCached - step.secret) * secretRow.requestsPerSecond) / 1e4).toFixed(1)}% (cached) / ${(((step.jwtUncached - step.secret) * secretRow.requestsPerSecond) / 1e4).toFixed(1)}% (uncached) of the secret path's request time (WebCrypto's RSA check runs partly off the main thread)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (bad.length > 0) {
    process.stderr.write(`bench:auth: failed requests:\n  ${bad.join('\n  ')}\n`);
    process.exitCode = 1;
  } else if (cachedRatio < TARGET_RATIO) {
    process.stderr.write(`bench:auth: the JWT path missed the target (${cachedRatio.toFixed(3)} < ${TARGET_RATIO})\n`);
    process.exitCode = 1;
  }
}

cli.run(main);
