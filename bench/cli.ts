/** What every bench script shares: its name in messages, flags, integer settings from env, and how it ends. */
import { fileURLToPath } from 'node:url';

/** The repository's root (the benches run from dist/bench/). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The middle value of `xs` (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A mistake in how the bench was called: its message is the whole story, no stack needed. */
export class UsageError extends Error {}

export interface BenchCli {
  progress(message: string): void;
  /** Parses argv against the known boolean flags (each `--name`); anything else is a UsageError. */
  flags<K extends string>(argv: readonly string[], known: readonly K[]): Record<K, boolean>;
  /**
   * Flags as above, plus options that take one of a fixed list of values (`--name value` or
   * `--name=value`); an option not given takes the first value of its list.
   */
  args<F extends string, O extends string>(
    argv: readonly string[],
    flags: readonly F[],
    options: Record<O, readonly [string, ...string[]]>,
  ): { flags: Record<F, boolean>; options: Record<O, string> };
  intFromEnv(name: string, fallback: number, min: number, max: number): number;
  /** Runs `main`; a UsageError prints its message alone, anything else its stack; both exit 1. */
  run(main: () => Promise<void>): void;
}

export function benchCli(name: string): BenchCli {
  const cli: BenchCli = {
    progress: (message) => process.stderr.write(`${name}: ${message}\n`),
    flags: (argv, known) => cli.args(argv, known, {}).flags,
    args(argv, knownFlags, knownOptions) {
      type F = (typeof knownFlags)[number];
      type O = keyof typeof knownOptions;
      const optionNames = Object.keys(knownOptions) as O[];
      const flags = Object.fromEntries(knownFlags.map((k) => [k, false])) as Record<F, boolean>;
      const options = Object.fromEntries(optionNames.map((o) => [o, knownOptions[o][0]])) as Record<O, string>;
      const known = [...knownFlags.map((k) => `--${k}`), ...optionNames.map((o) => `--${o} <${knownOptions[o].join('|')}>`)].join(', ');
      for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i]!;
        const flag = knownFlags.find((k) => `--${k}` === arg);
        if (flag !== undefined) {
          flags[flag] = true;
          continue;
        }
        const option = optionNames.find((o) => arg === `--${o}` || arg.startsWith(`--${o}=`));
        if (option === undefined) throw new UsageError(`${name}: unknown argument "${arg}" (known: ${known})`);
        const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
        if (value === undefined || !knownOptions[option].includes(value)) {
          throw new UsageError(`${name}: --${option} takes one of ${knownOptions[option].join(', ')}${value === undefined ? '' : `, not "${value}"`}`);
        }
        options[option] = value;
      }
      return { flags, options };
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
  return cli;
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
