/**
 * The servers `npm run bench` measures, each a child process: the bare express baseline, and the gateway
 * on SQLite or on PostgreSQL, started on an empty store and filled with the same preloaded users.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort, readMemory, removeAtExit, startServer, type ServerChild } from './children.js';
import { REPO_ROOT, childEnv as serverEnv } from './cli.js';
import { analyzeSchema, dropSchemaAtExit, type ServerFacts } from './postgres-schema.js';
import { preloadUsers } from './preload.js';
import { preloadUserName, type Target } from './scenarios.js';

const BASELINE_SCRIPT = fileURLToPath(new URL('./baseline-server.js', import.meta.url));
const GATEWAY_SCRIPT = join(REPO_ROOT, 'dist/src/main.js');
const PRELOAD_CONCURRENCY = 16;

/** Where a gateway keeps its state: a fresh SQLite file, or a fresh schema of a PostgreSQL database. */
export type BenchStore = { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema: string };

export interface Session {
  server: ServerChild;
  origin: string;
  target: Target;
}

export interface GatewaySession extends Session {
  preloadSeconds: number;
  afterPreloadRssBytes: number;
  /** On PostgreSQL: the server's version and whether autovacuum runs. */
  database?: ServerFacts;
}

function scimHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
}

/** A per-app token in our environment would win over the bench's. */
export const childEnv = (extra: Record<string, string>) => serverEnv(extra, ['SCIM_BRIDGE_TOKEN_DIRECTORY']);

export async function startBaseline(users: number, runTag: string, progress: (message: string) => void): Promise<Session> {
  const port = await freePort();
  progress(`starting baseline on port ${port}`);
  const server = await startServer({
    name: 'baseline',
    script: BASELINE_SCRIPT,
    cwd: REPO_ROOT,
    env: childEnv({}),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  const target: Target = {
    headers: scimHeaders(randomBytes(24).toString('hex')),
    userNames: Array.from({ length: users }, (_, i) => preloadUserName(i)),
    ids: Array.from({ length: users }, () => randomUUID()),
    runTag,
  };
  return { server, origin: `http://127.0.0.1:${port}`, target };
}

/**
 * The default configuration, with the store said explicitly (SCIM_BRIDGE_DATABASE_URL in our environment
 * must not turn the SQLite gateway into a PostgreSQL one) and one change: the per-app inbound rate
 * limit (a guard against a runaway client, default 200 req/s) is lifted, or the bench would measure the
 * limiter instead of the gateway. On PostgreSQL that limit is a budget shared through the database; lifted,
 * a replica leases so much of it at a time that it asks the database about once per lease, not per request.
 */
function benchConfig(dir: string, store: BenchStore): string {
  const source = join(REPO_ROOT, 'config/gateway.yaml');
  const config = parseYaml(readFileSync(source, 'utf8')) as Record<string, unknown>;
  // Schema files are relative to the configuration; the copy lives elsewhere.
  if (Array.isArray(config.schemas)) config.schemas = config.schemas.map((f) => resolvePath(dirname(source), String(f)));
  config.store = store.kind === 'sqlite' ? { kind: 'sqlite' } : { kind: 'postgres', schema: store.schema };
  const security = (config.security ?? {}) as Record<string, unknown>;
  security.appRateLimit = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
  config.security = security;
  const file = join(dir, 'bench-gateway.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

/**
 * Starts the gateway on an empty store and fills it; a PostgreSQL schema is then analyzed, as autovacuum
 * would after such a load. Its data dir (the SQLite file, the configuration) goes when the bench exits,
 * and so does its PostgreSQL schema.
 */
export async function startGateway(
  store: BenchStore,
  users: number,
  runTag: string,
  logLevel: string,
  started: ServerChild[],
  progress: (message: string) => void,
): Promise<GatewaySession> {
  if (!existsSync(GATEWAY_SCRIPT)) throw new Error(`bench: ${GATEWAY_SCRIPT} does not exist (npm run build; or --baseline-only)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-'));
  removeAtExit(dataDir);
  if (store.kind === 'postgres') dropSchemaAtExit(store.url, store.schema);
  const name = store.kind === 'sqlite' ? 'gateway' : 'gateway (postgres)';
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  progress(`starting ${name} on port ${port} (data dir ${dataDir}${store.kind === 'postgres' ? `, schema ${store.schema}` : ''})`);
  const server = await startServer({
    name,
    script: GATEWAY_SCRIPT,
    cwd: REPO_ROOT,
    env: childEnv({
      SCIM_BRIDGE_TOKEN: token,
      SCIM_BRIDGE_DATA_DIR: dataDir,
      SCIM_BRIDGE_CONFIG: benchConfig(dataDir, store),
      SCIM_BRIDGE_LOG_LEVEL: logLevel,
      ...(store.kind === 'postgres' ? { SCIM_BRIDGE_DATABASE_URL: store.url } : {}),
    }),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  started.push(server);
  const origin = `http://127.0.0.1:${port}`;
  const headers = scimHeaders(token);
  progress(`${name}: preloading ${users} users (concurrency ${PRELOAD_CONCURRENCY})`);
  const preload = await preloadUsers(origin, headers, users, PRELOAD_CONCURRENCY);
  progress(`${name}: preloaded in ${preload.seconds.toFixed(1)} s`);
  const afterPreloadRssBytes = readMemory(server.process.pid!).rssBytes;
  const target: Target = { headers, userNames: preload.userNames, ids: preload.ids, runTag };
  const session: GatewaySession = { server, origin, target, preloadSeconds: preload.seconds, afterPreloadRssBytes };
  if (store.kind === 'postgres') {
    session.database = await analyzeSchema(store.url, store.schema);
    progress(`${name}: schema ${store.schema} analyzed (the server's autovacuum is ${session.database.autovacuum})`);
  }
  return session;
}
