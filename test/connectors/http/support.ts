/** Helpers for the native client tests: tiny real HTTP servers, a fake clock, a log that records. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../src/connectors/http/clock.js';
import type { ConnectionSettings } from '../../../src/connectors/http/types.js';

export interface Seen {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** May return anything (handlers often `return res.end()`); a returned promise is awaited. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => unknown;

export interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1, port 0, that records every request before handing it to `handler`. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }) - 1;
      Promise.resolve(handler(req, res, body, index)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Simulated time. `auto` mode: every sleep returns at once and moves time forward (backoff tests).
 * Manual mode: sleepers wait until the test advances time (rate-limit and token-lifetime tests).
 */
export class FakeClock implements Clock {
  #now = 0;
  #timers: { at: number; resolve: () => void }[] = [];
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];

  constructor(private readonly auto = false) {}

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.auto) {
      this.#now += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) => {
      this.#timers.push({ at: this.#now + ms, resolve });
      this.#timers.sort((a, b) => a.at - b.at);
    });
  }

  get pendingSleeps(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper due by then. */
  advance(ms: number): void {
    this.#now += ms;
    this.#wakeDue();
  }

  /** Jumps to the earliest sleeper's wake-up time and wakes everyone due then. */
  advanceToNext(): void {
    const next = this.#timers[0];
    if (next === undefined) return;
    this.#now = Math.max(this.#now, next.at);
    this.#wakeDue();
  }

  #wakeDue(): void {
    while (this.#timers[0] !== undefined && this.#timers[0].at <= this.#now) this.#timers.shift()?.resolve();
  }
}

export interface LogLine {
  level: 'warn' | 'info' | 'debug';
  obj: object;
  msg: string;
}

export interface CapturingLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A log that records every line (the native client's and the budgets' log calls). */
export function captureLog(): { lines: LogLine[]; log: CapturingLog } {
  const lines: LogLine[] = [];
  return {
    lines,
    log: {
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
      debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
    },
  };
}

/** Generous budget, three tries, short backoff: tests narrow what they exercise. */
export function settingsFor(baseUrl: string, overrides: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    baseUrl,
    auth: { type: 'none' },
    timeoutMs: 5_000,
    rateLimit: { requestsPerSecond: 1_000, concurrency: 100 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 1_000 },
    ...overrides,
  };
}

/** Lets pending I/O callbacks and promise chains run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/** Polls until `condition` holds (never a timing assertion: vitest's test timeout is the only limit). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick();
}
