/**
 * `npm run bench`: the core SCIM calls against a bare express baseline and against the gateway, in one
 * run on one machine, printed as ratios. Each server runs in its own child process and only one is under
 * load at any moment; autocannon runs here, so on two cores the server and the load each get one. Flags: `--json` prints the figures as JSON instead of a table,
 * `--baseline-only` skips the gateway. Env: BENCH_SECONDS (default 10), BENCH_USERS (default 10000),
 * BENCH_LOG_LEVEL (the gateway's, default info).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import { freePort, installCleanup, readMemory, removeAtExit, startServer, stopServer, type ServerChild } from './children.js';
import { measure, type LoadSettings, type Measurement } from './load.js';
import { preloadUsers } from './preload.js';
import { failures, formatFailures, formatTable, type BenchReport, type MemoryFigures, type ScenarioResult } from './report.js';
import { SCENARIOS, preloadUserName, type Scenario, type Target } from './scenarios.js';
import { verifyShapes } from './verify.js';
import { benchCli, childEnv as serverEnv, UsageError } from './cli.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASELINE_SCRIPT = fileURLToPath(new URL('./baseline-server.js', import.meta.url));
const GATEWAY_SCRIPT = join(REPO_ROOT, 'dist/src/main.js');
// 'info' is what users run (one line per request); BENCH_LOG_LEVEL=warn shows what that line costs.
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const PRELOAD_CONCURRENCY = 16;

const cli = benchCli('bench');
const { progress, intFromEnv } = cli;

function scimHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
}

const childEnv = (extra: Record<string, string>) => serverEnv(extra, ['SCIM_BRIDGE_TOKEN_DIRECTORY']);

interface Session {
  server: ServerChild;
  origin: string;
  target: Target;
}

async function startBaseline(users: number, runTag: string): Promise<Session> {
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

interface GatewaySession extends Session {
  preloadSeconds: number;
  afterPreloadRssBytes: number;
}

/**
 * The default configuration, with one change: the per-app inbound rate limit (a guard against a runaway
 * client, default 200 req/s) is lifted, or the bench would measure the limiter instead of the gateway.
 */
function benchConfig(dir: string): string {
  const source = join(REPO_ROOT, 'config/gateway.yaml');
  const config = parseYaml(readFileSync(source, 'utf8')) as Record<string, unknown>;
  // Schema files are relative to the configuration; the copy lives elsewhere.
  if (Array.isArray(config.schemas)) config.schemas = config.schemas.map((f) => resolvePath(dirname(source), String(f)));
  const security = (config.security ?? {}) as Record<string, unknown>;
  security.appRateLimit = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
  config.security = security;
  const file = join(dir, 'bench-gateway.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

/** Starts the gateway on a fresh SQLite file and fills it; the data dir goes when the bench exits. */
async function startGateway(users: number, runTag: string, logLevel: string, started: ServerChild[]): Promise<GatewaySession> {
  if (!existsSync(GATEWAY_SCRIPT)) throw new Error(`bench: ${GATEWAY_SCRIPT} does not exist (npm run build; or --baseline-only)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-'));
  removeAtExit(dataDir);
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  progress(`starting gateway on port ${port} (data dir ${dataDir})`);
  const server = await startServer({
    name: 'gateway',
    script: GATEWAY_SCRIPT,
    cwd: REPO_ROOT,
    env: childEnv({
      SCIM_BRIDGE_TOKEN: token,
      SCIM_BRIDGE_DATA_DIR: dataDir,
      SCIM_BRIDGE_CONFIG: benchConfig(dataDir),
      SCIM_BRIDGE_LOG_LEVEL: logLevel,
    }),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  started.push(server);
  const origin = `http://127.0.0.1:${port}`;
  const headers = scimHeaders(token);
  progress(`preloading ${users} users (concurrency ${PRELOAD_CONCURRENCY})`);
  const preload = await preloadUsers(origin, headers, users, PRELOAD_CONCURRENCY);
  progress(`preloaded in ${preload.seconds.toFixed(1)} s`);
  const afterPreloadRssBytes = readMemory(server.process.pid!).rssBytes;
  const target: Target = { headers, userNames: preload.userNames, ids: preload.ids, runTag };
  return { server, origin, target, preloadSeconds: preload.seconds, afterPreloadRssBytes };
}

async function measureOn(session: Session, scenario: Scenario, settings: LoadSettings): Promise<Measurement> {
  progress(`${session.server.name}: ${scenario.name} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)`);
  return measure(session.origin, scenario, session.target, settings);
}

/**
 * Both servers live, but only one under load at any moment: each scenario runs on the baseline and then
 * at once on the gateway, so a ratio compares two runs seconds apart and drift in the machine's load
 * (a shared 2-core box) touches both sides alike.
 */
async function runScenarios(baseline: Session, gateway: Session | undefined, settings: LoadSettings): Promise<ScenarioResult[]> {
  await verifyShapes(baseline.origin, baseline.target, false);
  if (gateway) await verifyShapes(gateway.origin, gateway.target, true);
  const rows: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const b = await measureOn(baseline, scenario, settings);
    const g = gateway ? await measureOn(gateway, scenario, settings) : undefined;
    const ratio = g && b.requestsPerSecond > 0 ? g.requestsPerSecond / b.requestsPerSecond : undefined;
    rows.push({ name: scenario.name, target: scenario.target, baseline: b, gateway: g, ratio });
  }
  return rows;
}

async function main(): Promise<void> {
  const raw = cli.flags(process.argv.slice(2), ['json', 'baseline-only']);
  const flags = { json: raw.json, baselineOnly: raw['baseline-only'] };
  const settings: LoadSettings = { connections: 10, warmupSeconds: 2, seconds: intFromEnv('BENCH_SECONDS', 10, 1, 600) };
  const users = intFromEnv('BENCH_USERS', 10_000, 1, 1_000_000);
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`bench: BENCH_LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  const runTag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  installCleanup();

  const started: ServerChild[] = [];
  let report: BenchReport;
  try {
    const baseline = await startBaseline(users, runTag);
    started.push(baseline.server);
    const gateway = flags.baselineOnly ? undefined : await startGateway(users, runTag, logLevel, started);
    const scenarios = await runScenarios(baseline, gateway, settings);
    const peak = (s: Session): MemoryFigures => ({ peakRssBytes: readMemory(s.server.process.pid!).peakRssBytes });
    report = {
      node: process.version,
      cpus: availableParallelism(),
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      users,
      logging: `pino level "${logLevel}"${logLevel === 'info' ? ' (one line per request)' : ''}, child stdout to /dev/null; NODE_ENV=${childEnv({}).NODE_ENV}; config/gateway.yaml with the per-app inbound rate limit lifted`,
      preloadSeconds: gateway?.preloadSeconds,
      scenarios,
      baselineMemory: peak(baseline),
      gatewayMemory: gateway ? { ...peak(gateway), afterPreloadRssBytes: gateway.afterPreloadRssBytes } : undefined,
    };
  } finally {
    for (const server of started) await stopServer(server);
  }

  process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatTable(report)}\n`);
  const found = failures(report);
  if (found.length > 0) {
    process.stderr.write(`${formatFailures(found)}\n`);
    process.exitCode = 1;
  }
}

cli.run(main);
