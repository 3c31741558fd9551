/**
 * `scim-bridge reconcile --app <app> [--dry-run|--adopt|--repair]`: compares the app's native users with
 * the gateway's and reports every difference; resumes an interrupted run of the same mode. Needs the
 * deployment's configuration, credentials and store, like the gateway (it may run beside it).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { appRuntime, connectorOf } from '../app.js';
import { createBudgets } from '../budgets/index.js';
import { readStartEnvironment } from '../config/environment.js';
import { commandApp } from '../config/command-app.js';
import { ConfigError } from '../config/load.js';
import { loadConfigWithStandIns } from '../config/stand-ins.js';
import { createLogger } from '../http/logging.js';
import { ResourceService } from '../service/resources.js';
import { openStore } from '../store/index.js';
import type { AuditEntry, Store } from '../store/types.js';
import { jsonLinesReporter, terminalReporter } from './report.js';
import { ReconcileRefused, runReconcile } from './run.js';
import { reconcileStateDir } from './state.js';
import type { ReconcileMode } from './types.js';

export const RECONCILE_SUMMARY = "compare an app's native users with the gateway's; adopt or repair";

export const RECONCILE_USAGE = `usage: scim-bridge reconcile --app <app> [--dry-run | --adopt | --repair] [--config <file>] [--json] [--restart]

  Pages through the app's native users (within its native rate budget) and reports each: in both and
  equal; in both with differing fields (native vs gateway); native only (adoptable or not, and why);
  gateway only (the native record is gone). Safe while Entra provisions. An interrupted run (killed,
  Ctrl-C, a native outage) resumes when run again with the same mode; its checkpoint is in
  $SCIM_BRIDGE_DATA_DIR/reconcile/.

  --dry-run             report only (the default)
  --adopt               also link each adoptable native-only user to a new gateway user
  --repair              also send the gateway's values to each native user that differs
  --app <app>           the app (a rest app whose plugin declares users.operations.list)
  --config, -c <file>   the configuration (default: $SCIM_BRIDGE_CONFIG, else config/gateway.yaml)
  --json                JSON lines even on a terminal (the default elsewhere)
  --restart             discard an interrupted run and start again

  Exit status: 0 done, 1 failed (run again to resume), 2 usage, 130 interrupted (run again to resume).
`;

/**
 * The configuration, needing only this app's variables (and the store's): the other apps' credentials get
 * stand-ins, as `validate --offline` gives them — no connector is built for those apps.
 */
function loadForApp(file: string, app: string, options: { dataDir: string; env: NodeJS.ProcessEnv }) {
  const { config, unsetProblems } = loadConfigWithStandIns(file, options);
  const another = (problem: string) => {
    const named = /\(app ([^)]+)\)$/.exec(problem)?.[1];
    return named !== undefined && named !== app;
  };
  const ours = unsetProblems.filter((p) => !another(p));
  if (ours.length > 0) throw new ConfigError(ours);
  return config;
}

/**
 * The store, with the audit rows written in the background (each native call's) awaited before it closes:
 * a command ends right after its last call, unlike the gateway.
 */
function settlingAudits(store: Store): Store & { settled(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  return new Proxy(store, {
    get(target, key) {
      if (key === 'settled') return async () => void (await Promise.allSettled([...pending]));
      if (key === 'appendAudit') {
        return (entry: AuditEntry) => {
          const write = target.appendAudit(entry);
          pending.add(write);
          void write.then(
            () => pending.delete(write),
            () => pending.delete(write),
          );
          return write;
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as Store & { settled(): Promise<void> };
}

export interface ReconcileIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

function modeOf(values: { 'dry-run'?: boolean; adopt?: boolean; repair?: boolean }): ReconcileMode | undefined {
  const chosen = (['dry-run', 'adopt', 'repair'] as const).filter((m) => values[m]);
  if (chosen.length > 1) return undefined;
  return chosen[0] ?? 'dry-run';
}

export async function reconcileCommand(args: string[], io: ReconcileIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string' },
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      adopt: { type: 'boolean' },
      repair: { type: 'boolean' },
      json: { type: 'boolean' },
      restart: { type: 'boolean' },
    },
    strict: true,
  });
  const mode = modeOf(values);
  if (!values.app || !mode) {
    io.stderr.write(`scim-bridge reconcile: ${values.app ? 'give one of --dry-run, --adopt, --repair' : '--app is required'}\n${RECONCILE_USAGE}`);
    return 2;
  }
  const { dataDir, logLevel } = readStartEnvironment({ ...io.env, SCIM_BRIDGE_LOG_LEVEL: io.env.SCIM_BRIDGE_LOG_LEVEL || 'warn' });
  const file = values.config ?? io.env.SCIM_BRIDGE_CONFIG ?? 'config/gateway.yaml';
  const found = commandApp('reconcile', values.app, () => loadForApp(file, values.app!, { dataDir, env: io.env }), io.stderr);
  if (typeof found === 'number') return found;
  const { config, app } = found;

  // The log goes to stderr: stdout is the report.
  const log = createLogger({ level: logLevel, destination: pino.destination(2) });
  const budgets = createBudgets(config.store, config.security, { log });
  const store = settlingAudits(await openStore(config.store));
  const connector = connectorOf(app, store, budgets, log);
  const stop = new AbortController();
  const interrupt = () => {
    if (stop.signal.aborted) process.exit(130);
    io.stderr.write('\nstopping after the current page (Ctrl-C again to quit now); run again to resume\n');
    stop.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    await budgets.ready();
    const runtime = appRuntime(config, app, store, connector);
    const service = new ResourceService(runtime, log.child({ app: app.name }));
    const reporter = io.stdout.isTTY && !values.json ? terminalReporter(io.stdout, io.stderr) : jsonLinesReporter(io.stdout);
    const status = await runReconcile(
      { runtime, service, maxScanCandidates: config.server.maxScanCandidates },
      { mode, state: reconcileStateDir(config.dataDir), log, signal: stop.signal, restart: values.restart === true, onProgress: (s) => reporter.progress(s) },
    );
    reporter.finish(status);
    if (status.state === 'running') return 130;
    return status.state === 'done' ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ReconcileRefused)) throw error;
    io.stderr.write(`scim-bridge reconcile: ${error.message}\n`);
    return 2;
  } finally {
    process.off('SIGINT', interrupt);
    await connector.close?.();
    await budgets.close();
    await store.settled();
    await store.close();
  }
}
