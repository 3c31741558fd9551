/**
 * The servers under test run in child processes, one at a time, so the parent (autocannon) and the server
 * each get a core of their own. This module starts one, waits until it answers, reads its memory from
 * /proc, stops it, and makes sure nothing outlives the bench (exit, error, SIGINT, SIGTERM): children,
 * temp dirs, and whatever else was registered with runAtExit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ServerChild {
  name: string;
  process: ChildProcess;
  port: number;
  /** Resolves when the child has exited (at once if it already has). */
  exited: Promise<void>;
  /** The tail of the child's stderr, to explain a failed start. */
  stderrTail(): string;
}

export interface StartOptions {
  name: string;
  script: string;
  /** Command-line arguments after the script (the emulator runner takes its kind and --port). */
  args?: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** Answers 200 once the server is ready. */
  healthUrl: string;
  /** Sent with each health probe, for a server that answers 200 only to an authenticated request. */
  healthHeaders?: Record<string, string>;
  readyTimeoutMs?: number;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const exitTasks: (() => void)[] = [];

/** A port that was free a moment ago (the gateway needs PORT up front; its stdout goes to /dev/null). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export async function startServer(options: StartOptions): Promise<ServerChild> {
  // stdout to /dev/null: the server logs as users run it, but the parent does not spend CPU reading it.
  // BENCH_CPU_PROF_DIR: the gateway writes a V8 CPU profile there when it stops (open it in DevTools).
  const profDir = options.name.startsWith('gateway') ? process.env.BENCH_CPU_PROF_DIR : undefined;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  const server: ServerChild = { name: options.name, process: child, port: options.port, exited, stderrTail: () => tail };
  await waitUntilHealthy(server, options.healthUrl, options.healthHeaders ?? {}, options.readyTimeoutMs ?? 20_000);
  return server;
}

async function waitUntilHealthy(server: ServerChild, url: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void server.exited.then(() => {
    exitedEarly = true;
  });
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(`${server.name} exited during start-up (code ${server.process.exitCode}):\n${server.stderrTail()}`);
    }
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.name} did not answer ${url} within ${timeoutMs} ms:\n${server.stderrTail()}`);
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stopServer(server: ServerChild, graceMs = 5_000): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
}

export interface ProcessMemory {
  /** Resident set size now, in bytes. */
  rssBytes: number;
  /** The highest resident set size the process has had (VmHWM), in bytes. */
  peakRssBytes: number;
}

/** Linux only: reads VmRSS and VmHWM of a live process. */
export function readMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Linux clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Linux only: CPU time (user + system) a live process has used so far, in milliseconds (10 ms steps). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat has no utime/stime`);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A temp directory removed at exit whatever happens. */
export function removeAtExit(dir: string): void {
  tempDirs.add(dir);
}

/**
 * A synchronous task run once on every way out, after the children are killed (so it may drop what they
 * used). An exit handler cannot wait for a promise: asynchronous work goes to a child run with spawnSync.
 */
export function runAtExit(task: () => void): void {
  exitTasks.push(task);
}

function cleanUpNow(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const task of exitTasks.splice(0)) {
    try {
      task();
    } catch (error) {
      process.stderr.write(`bench: clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Installs the last-resort clean-up once: children killed, exit tasks run and temp dirs removed on every way out. */
export function installCleanup(): void {
  process.once('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
      cleanUpNow();
      process.exit(130);
    });
  }
}
