/**
 * WAL checkpoints off the request path. A checkpoint copies the WAL into the database file and fsyncs
 * it; run by SQLite's automatic checkpointing it lands on whichever commit crosses the threshold, which
 * measured as the largest single cost of a write request. Here one worker thread per process, with its
 * own connection to each registered database, runs PASSIVE checkpoints (they never block the writer or
 * readers) on a timer, and the stores' own connections have automatic checkpoints off. Should the worker
 * die, every store gets told and turns automatic checkpoints back on, so the WAL cannot grow without
 * bound. Durability is unchanged: a commit is in the WAL before it returns.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const dbs = new Map();
setInterval(() => {
  for (const [path, db] of dbs) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); }
    catch (err) { parentPort.postMessage({ path, error: String(err && err.message) }); }
  }
}, workerData.intervalMs);
parentPort.on('message', ({ add, remove }) => {
  if (add !== undefined && !dbs.has(add)) {
    const db = new Database(add);
    db.pragma('busy_timeout = 1000');
    dbs.set(add, db);
  }
  if (remove !== undefined) {
    const db = dbs.get(remove);
    dbs.delete(remove);
    if (db) db.close();
  }
});
`;

export interface Checkpointer {
  stop(): void;
}

interface Registration {
  path: string;
  onFailure: (reason: string) => void;
}

let shared: { worker: Worker; registrations: Set<Registration> } | undefined;

function sharedWorker(intervalMs: number) {
  if (shared) return shared;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { intervalMs, driver } });
  const state = { worker, registrations: new Set<Registration>() };
  const failAll = (reason: string) => {
    if (shared === state) shared = undefined;
    for (const r of state.registrations) r.onFailure(reason);
    state.registrations.clear();
  };
  worker.on('error', (err) => failAll(err.message));
  worker.on('exit', (code) => failAll(`checkpoint worker exited with code ${code}`));
  worker.on('message', (msg: { path?: string; error?: string }) => {
    for (const r of state.registrations) {
      if (r.path === msg.path) {
        state.registrations.delete(r);
        r.onFailure(msg.error ?? 'checkpoint failed');
      }
    }
  });
  // The worker must never keep the process alive on its own.
  worker.unref();
  shared = state;
  return state;
}

/**
 * Checkpoints `path` every `intervalMs` from the shared worker. `onFailure` is called at most once when
 * that stops happening (the caller turns automatic checkpoints back on).
 */
export function startCheckpointer(path: string, intervalMs: number, onFailure: (reason: string) => void): Checkpointer {
  const state = sharedWorker(intervalMs);
  const registration: Registration = { path, onFailure };
  state.registrations.add(registration);
  state.worker.postMessage({ add: path });
  return {
    stop: () => {
      if (!state.registrations.delete(registration)) return;
      if (![...state.registrations].some((r) => r.path === path)) state.worker.postMessage({ remove: path });
    },
  };
}
