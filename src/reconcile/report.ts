/**
 * How the CLI shows a run: on a terminal, a progress bar (cli-progress, on stderr) and then a readable
 * report; otherwise JSON lines on stdout — `progress` after each step, then one `entry` per user and a
 * `summary` — for scripts and log shippers.
 */
import cliProgress from 'cli-progress';
import type { ReconcileEntry, ReconcileStatus } from './types.js';

export interface Reporter {
  progress(status: ReconcileStatus): void;
  finish(status: ReconcileStatus): void;
}

interface Out {
  write(s: string): unknown;
}

export function jsonLinesReporter(stdout: Out): Reporter {
  const line = (value: object) => stdout.write(`${JSON.stringify(value)}\n`);
  return {
    progress: (status) => line({ type: 'progress', app: status.app, mode: status.mode, ...status.progress, counts: status.counts }),
    finish(status) {
      for (const entry of status.entries) line({ type: 'entry', ...entry });
      const { entries: _entries, ...summary } = status;
      line({ type: 'summary', ...summary });
    },
  };
}

export function terminalReporter(stdout: Out, stderr: NodeJS.WritableStream): Reporter {
  const bar = new cliProgress.SingleBar(
    { stream: stderr, format: 'reconcile {app} [{bar}] {value}/{total} native users | equal {equal} differ {differs} native-only {nativeOnly} gateway-only {gatewayOnly}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const payload = (s: ReconcileStatus) => ({ app: s.app, ...s.counts });
  return {
    progress(status) {
      const total = Math.max(status.progress.total ?? status.progress.seen, status.progress.seen);
      if (!started) {
        bar.start(total, status.progress.seen, payload(status));
        started = true;
      }
      bar.setTotal(total);
      bar.update(status.progress.seen, payload(status));
    },
    finish(status) {
      if (started) bar.stop();
      stdout.write(readableReport(status));
    },
  };
}

const shown = (v: unknown) => (v === null || v === undefined ? '(none)' : JSON.stringify(v));

function describe(entry: ReconcileEntry): string {
  const who = `${entry.userName ?? '(no userName)'}${entry.id ? ` id ${entry.id}` : ''}${entry.nativeId ? ` native ${entry.nativeId}` : ''}`;
  const lines = [`${entry.kind.padEnd(12)} ${who}`];
  for (const f of entry.fields ?? []) lines.push(`    ${f.path}: native ${shown(f.native)}, gateway ${shown(f.gateway)}`);
  if (entry.adoptable !== undefined) lines.push(`    ${entry.adoptable ? 'adoptable' : 'not adoptable'}: ${entry.reason ?? ''}`);
  else if (entry.reason) lines.push(`    ${entry.reason}`);
  if (entry.action && entry.adoptable !== undefined) lines.push(`    ${entry.action}`);
  return lines.join('\n');
}

/** Every user that is not equal, then the counts. */
export function readableReport(status: ReconcileStatus): string {
  const c = status.counts;
  const body = status.entries.filter((e) => e.kind !== 'equal').map(describe);
  const head = `reconcile ${status.app} (${status.mode}): ${status.state}${status.error ? `: ${status.error}` : ''}`;
  const tail = `${status.progress.seen} native users listed: ${c.equal} equal, ${c.differs} differ, ${c.nativeOnly} native only, ${c.gatewayOnly} gateway only`;
  return `${[head, ...body, tail].join('\n')}\n`;
}
