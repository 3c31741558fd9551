/** What every bench script shares: its name in messages, flags, integer settings from env, and how it ends. */

/** A mistake in how the bench was called: its message is the whole story, no stack needed. */
export class UsageError extends Error {}

export interface BenchCli {
  progress(message: string): void;
  /** Parses argv against the known boolean flags (each `--name`); anything else is a UsageError. */
  flags<K extends string>(argv: readonly string[], known: readonly K[]): Record<K, boolean>;
  intFromEnv(name: string, fallback: number, min: number, max: number): number;
  /** Runs `main`; a UsageError prints its message alone, anything else its stack; both exit 1. */
  run(main: () => Promise<void>): void;
}

export function benchCli(name: string): BenchCli {
  return {
    progress: (message) => process.stderr.write(`${name}: ${message}\n`),
    flags(argv, known) {
      const flags = Object.fromEntries(known.map((k) => [k, false])) as Record<(typeof known)[number], boolean>;
      for (const arg of argv) {
        const flag = known.find((k) => `--${k}` === arg);
        if (flag === undefined) throw new UsageError(`${name}: unknown argument "${arg}" (known: ${known.map((k) => `--${k}`).join(', ')})`);
        flags[flag] = true;
      }
      return flags;
    },
    intFromEnv(variable, fallback, min, max) {
      const raw = process.env[variable];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new UsageError(`${name}: ${variable}="${raw}" must be an integer in [${min}, ${max}]`);
      }
      return value;
    },
    run(main) {
      main().catch((error: unknown) => {
        const text = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stderr.write(`${text}\n`);
        process.exitCode = 1;
      });
    },
  };
}

/** One JSON call outside the load, bounded by a timeout; anything but 2xx stops the bench. */
export async function callJson(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The environment of a server child: ours, NODE_ENV=production unless set, `extra`, and without the
 * variables in `drop` (a per-app token in the caller's environment would win over the bench's).
 */
export function childEnv(extra: Record<string, string>, drop: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production', ...extra };
  for (const name of drop) delete env[name];
  return env;
}
