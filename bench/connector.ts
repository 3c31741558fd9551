/**
 * `npm run bench:connector`: what the REST connector costs. The 15Five emulator runs in one child
 * process, the gateway (one app, the 15five plugin, pointed at the emulator) in another, autocannon here.
 * Each scenario is measured directly against the emulator with the native request the plugin makes and
 * then through the gateway with the SCIM request, seconds apart, and printed as ratios and as the
 * gateway's added p50 against the 1 ms target. Flags: `--json`. Env: BENCH_SECONDS (default 10),
 * BENCH_CONNECTIONS (default 10), BENCH_USERS (default 1000), BENCH_LOG_LEVEL (the gateway's, default info),
 * BENCH_ONLY (run the scenarios whose name contains it), BENCH_CPU_PROF_DIR (the gateway's CPU profile goes there).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort, installCleanup, startServer, stopServer, type ServerChild } from './children.js';
import { cpuMeter, type CpuMeter } from './connector-cpu.js';
import { nativeHeaders, nativeIdsByEmail, nativeUserCount } from './connector-native.js';
import { compare, connectorFailures, formatConnectorTable, TARGET_ADDED_P50_MS, type ConnectorReport, type ConnectorRow, type SideResult } from './connector-report.js';
import { CONNECTOR_SCENARIOS, GATEWAY_BASE_PATH, type Side } from './connector-scenarios.js';
import { RAISED_RATE_LIMIT, writeBenchFiles, type BenchFiles } from './connector-setup.js';
import { verifyConnectorShapes } from './connector-verify.js';
import { measure, measureInterleaved, type LoadSettings, type Measurement } from './load.js';
import { preloadUsers } from './preload.js';
import { formatFailures } from './report.js';
import type { Target } from './scenarios.js';
import { benchCli, REPO_ROOT, UsageError } from './cli.js';
import { connectorChildEnv, startGatewayChild } from './connector-gateway.js';

const EMULATOR_SCRIPT = join(REPO_ROOT, 'dist/test/emulators/serve.js');
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const PRELOAD_CONCURRENCY = 16;

const cli = benchCli('bench:connector');
const { progress, intFromEnv } = cli;

const childEnv = connectorChildEnv;

interface Sides {
  emulator: ServerChild;
  gateway: ServerChild;
  nativeOrigin: string;
  gatewayOrigin: string;
  native: Target;
  scim: Target;
  preloadSeconds: number;
}

async function startEmulatorChild(apiKey: string): Promise<{ server: ServerChild; origin: string }> {
  if (!existsSync(EMULATOR_SCRIPT)) throw new Error(`bench:connector: ${EMULATOR_SCRIPT} does not exist (npm run build)`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  progress(`starting the 15Five emulator on port ${port} (no faults, no latency)`);
  const server = await startServer({
    name: 'emulator',
    script: EMULATOR_SCRIPT,
    args: ['15five', '--port', String(port)],
    cwd: REPO_ROOT,
    env: childEnv({ EMULATOR_15FIVE_API_KEY: apiKey }),
    port,
    healthUrl: `${origin}/api/public/user/?page_size=1`,
    healthHeaders: { authorization: apiKey },
  });
  return { server, origin };
}

async function startSides(files: BenchFiles, users: number, logLevel: string, runTag: string, started: ServerChild[]): Promise<Sides> {
  const apiKey = randomBytes(24).toString('hex');
  const token = randomBytes(24).toString('hex');
  const emulator = await startEmulatorChild(apiKey);
  started.push(emulator.server);
  const gateway = await startGatewayChild({ files, emulatorOrigin: emulator.origin, apiKey, token, logLevel, progress });
  started.push(gateway.server);

  const scimHeaders = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  progress(`preloading ${users} users through the gateway (concurrency ${PRELOAD_CONCURRENCY}): both sides hold them`);
  const preload = await preloadUsers(gateway.origin, scimHeaders, users, PRELOAD_CONCURRENCY, GATEWAY_BASE_PATH);
  progress(`preloaded in ${preload.seconds.toFixed(1)} s`);
  const headers = nativeHeaders(apiKey);
  const byEmail = await nativeIdsByEmail(emulator.origin, headers);
  const nativeIds = preload.userNames.map((userName) => {
    const id = byEmail.get(userName.toLowerCase());
    if (id === undefined) throw new Error(`bench:connector: ${userName} was created through the gateway but is not in the emulator`);
    return id;
  });
  return {
    emulator: emulator.server,
    gateway: gateway.server,
    nativeOrigin: emulator.origin,
    gatewayOrigin: gateway.origin,
    native: { headers, userNames: preload.userNames, ids: nativeIds, runTag },
    scim: { headers: scimHeaders, userNames: preload.userNames, ids: preload.ids, runTag },
    preloadSeconds: preload.seconds,
  };
}

function sideResult(side: Side, measurement: Measurement, cpu: CpuMeter, emulatorUsers: SideResult['emulatorUsers'], loadAverage1m: number): SideResult {
  const callsPerOperation = side.scenario.callsPerOperation ?? 1;
  return {
    label: side.label,
    callsPerOperation,
    opsPerSecond: measurement.requestsPerSecond / callsPerOperation,
    measurement,
    cpuMsPerOperation: cpu.perOperation(measurement.requests / callsPerOperation),
    emulatorUsers,
    loadAverage1m,
  };
}

async function measureSide(sides: Sides, side: Side, onGateway: boolean, settings: LoadSettings): Promise<SideResult> {
  const origin = onGateway ? sides.gatewayOrigin : sides.nativeOrigin;
  const target = onGateway ? sides.scim : sides.native;
  const countUsers = () => nativeUserCount(sides.nativeOrigin, sides.native.headers);
  progress(`${onGateway ? 'gateway' : 'direct'}: ${side.label} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)`);
  const loadAverage1m = loadavg()[0] ?? Number.NaN;
  const before = await countUsers();
  const cpu = cpuMeter(sides.emulator, sides.gateway);
  const measurement = await measure(origin, side.scenario, target, settings, cpu.hooks);
  const after = await countUsers();
  return sideResult(side, measurement, cpu, { before, after }, loadAverage1m);
}

/** Direct side(s) then gateway, each measured at once after the other (nothing grows between them). */
async function inTurn(sides: Sides, directs: Side[], gateway: Side, settings: LoadSettings): Promise<{ directs: SideResult[]; gateway: SideResult }> {
  const results: SideResult[] = [];
  for (const direct of directs) results.push(await measureSide(sides, direct, false, settings));
  return { directs: results, gateway: await measureSide(sides, gateway, true, settings) };
}

/** Direct side(s) and gateway in alternating rounds of about a second (at most 10 rounds). */
async function inRounds(sides: Sides, directs: Side[], gateway: Side, settings: LoadSettings): Promise<{ directs: SideResult[]; gateway: SideResult }> {
  const rounds = Math.min(settings.seconds, 10);
  const all = [...directs, gateway];
  progress(`${all.map((s) => s.label).join(' | ')}: ${settings.warmupSeconds} s warm-up each, then ${rounds} rounds of ${(settings.seconds / rounds).toFixed(1)} s each in turn`);
  const loadAverage1m = loadavg()[0] ?? Number.NaN;
  const before = await nativeUserCount(sides.nativeOrigin, sides.native.headers);
  const meters = all.map(() => cpuMeter(sides.emulator, sides.gateway));
  const loadSides = all.map((side, i) => {
    const onGateway = i === all.length - 1;
    return { url: onGateway ? sides.gatewayOrigin : sides.nativeOrigin, scenario: side.scenario, target: onGateway ? sides.scim : sides.native, hooks: meters[i]!.hooks };
  });
  const measurements = await measureInterleaved(loadSides, settings, rounds);
  const after = await nativeUserCount(sides.nativeOrigin, sides.native.headers);
  const results = all.map((side, i) => sideResult(side, measurements[i]!, meters[i]!, { before, after }, loadAverage1m));
  return { directs: results.slice(0, -1), gateway: results[results.length - 1]! };
}

async function runScenarios(sides: Sides, settings: LoadSettings): Promise<ConnectorRow[]> {
  const rows: ConnectorRow[] = [];
  // BENCH_ONLY: the scenarios whose name contains it (a profile of one scenario, BENCH_CPU_PROF_DIR).
  const only = process.env.BENCH_ONLY;
  for (const scenario of CONNECTOR_SCENARIOS.filter((s) => only === undefined || s.name.includes(only))) {
    const directs = [scenario.direct, ...(scenario.alsoDirect ? [scenario.alsoDirect] : [])];
    const measured = await (scenario.growsEmulator ? inRounds : inTurn)(sides, directs, scenario.gateway, settings);
    rows.push({ name: scenario.name, note: scenario.note, gateway: measured.gateway, comparisons: measured.directs.map((d) => compare(d, measured.gateway)) });
  }
  return rows;
}

async function main(): Promise<void> {
  const flags = cli.flags(process.argv.slice(2), ['json']);
  const settings: LoadSettings = {
    connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 1_000),
    warmupSeconds: 2,
    seconds: intFromEnv('BENCH_SECONDS', 10, 1, 600),
    timings: true,
  };
  const users = intFromEnv('BENCH_USERS', 1_000, 1, 100_000);
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`bench:connector: BENCH_LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  const runTag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  installCleanup();
  const loadAtStart = loadavg();

  const files = writeBenchFiles(REPO_ROOT);
  const raised = `${RAISED_RATE_LIMIT.requestsPerSecond} req/s, concurrency ${RAISED_RATE_LIMIT.concurrency}`;
  progress(`15five plugin rate limit raised from ${files.shippedRateLimit} to ${raised} (temp copy of plugins/; the shipped file is untouched)`);
  progress(`${settings.connections} connections per run`);

  const started: ServerChild[] = [];
  let report: ConnectorReport;
  try {
    const sides = await startSides(files, users, logLevel, runTag, started);
    await verifyConnectorShapes({
      nativeOrigin: sides.nativeOrigin,
      nativeHeaders: sides.native.headers,
      gatewayOrigin: sides.gatewayOrigin,
      scimHeaders: sides.scim.headers,
      userName: sides.scim.userNames[0]!,
      scimId: sides.scim.ids[0]!,
      nativeId: sides.native.ids[0]!,
      runTag,
    });
    const rows = await runScenarios(sides, settings);
    report = {
      node: process.version,
      cpus: availableParallelism(),
      loadAverage: { start: loadAtStart, end: loadavg() },
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      users,
      preloadSeconds: sides.preloadSeconds,
      logging: `pino level "${logLevel}"${logLevel === 'info' ? ' (one line per request)' : ''}, child stdout to /dev/null; NODE_ENV=${childEnv({}).NODE_ENV}`,
      rateLimit: { shipped: files.shippedRateLimit, raised },
      latencySource:
        'autocannon latency.p50/p99 (whole ms) and, as "exact", percentiles over every measured response time autocannon reports ' +
        "on its 'response' event (hrtime from request write to response end, fractional ms; create's search+POST summed per connection); " +
        'create is measured in rounds, and its whole-ms figures are the pooled times truncated as autocannon truncates',
      targetAddedP50Ms: TARGET_ADDED_P50_MS,
      rows,
    };
  } finally {
    for (const server of started.reverse()) await stopServer(server);
  }
  process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatConnectorTable(report)}\n`);
  const found = connectorFailures(report);
  if (found.length > 0) {
    process.stderr.write(`${formatFailures(found)}\n`);
    process.exitCode = 1;
  }
}

cli.run(main);
