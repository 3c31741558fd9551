/**
 * The real entry point (dist/src/main.js, built by `npm test`) as a child process, the way `npm start`
 * runs it: for tests of start-up, restarts, kill -9 and several replicas.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MAIN = join(ROOT, 'dist/src/main.js');

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  origin: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/**
 * Starts dist/src/main.js with `env` (and PATH, PORT) and waits until it listens or exits. `listeningLog`:
 * known listening from that line of its output instead of a /healthz call (whose kept-alive connection
 * would count against server.maxConnections).
 */
export async function startMain(
  env: Record<string, string>,
  options: { port?: number; startTimeoutMs?: number; listeningLog?: string } = {},
): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  // Listening is known from /healthz, whatever the log level lets through.
  const answers = async () =>
    options.listeningLog !== undefined
      ? out.includes(options.listeningLog)
      : fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
          (res) => res.ok,
          () => false,
        );
  while (!(await answers())) {
    if (child.exitCode !== null) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, origin: `http://127.0.0.1:${port}`, output: () => out };
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
}
