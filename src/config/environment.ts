/**
 * The environment contract of `npm start` (README "Environment"): PORT, SCIM_BRIDGE_CONFIG,
 * SCIM_BRIDGE_DATA_DIR, SCIM_BRIDGE_LOG_LEVEL, read and checked in one place, so that start-up and
 * `scim-bridge validate` refuse the same things with the same one-line messages. Secrets and plugin
 * variables are the configuration's (load.ts, src/auth/secrets.ts).
 */
import { resolve } from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface StartEnvironment {
  port: number;
  /** The configuration file, as given (relative to the working directory). */
  configFile: string;
  /** Absolute. */
  dataDir: string;
  logLevel: LogLevel;
}

/** Every variable that is wrong, one line each. */
export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EnvironmentError';
  }
}

const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/** Reads the contract; throws EnvironmentError naming every variable that is wrong. */
export function readStartEnvironment(env: NodeJS.ProcessEnv): StartEnvironment {
  const problems: string[] = [];
  const portText = env.PORT ?? '8080';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) problems.push(`PORT: "${portText}" is not a port number (0-65535)`);
  const level = env.SCIM_BRIDGE_LOG_LEVEL || 'info';
  if (!isLogLevel(level)) problems.push(`SCIM_BRIDGE_LOG_LEVEL: "${level}" is not a log level (${LOG_LEVELS.join(', ')})`);
  if (problems.length > 0) throw new EnvironmentError(problems);
  return {
    port,
    configFile: env.SCIM_BRIDGE_CONFIG || 'config/gateway.yaml',
    dataDir: resolve(env.SCIM_BRIDGE_DATA_DIR || './data'),
    logLevel: level as LogLevel,
  };
}
