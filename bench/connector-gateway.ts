/**
 * The gateway child the connector benches run: dist/src/main.js on the bench's files (one app, the
 * 15five plugin copy), pointed at an emulator, its log level as asked.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startServer, type ServerChild } from './children.js';
import { REPO_ROOT, childEnv as serverEnv } from './cli.js';
import type { BenchFiles } from './connector-setup.js';

const GATEWAY_SCRIPT = join(REPO_ROOT, 'dist/src/main.js');

/** A per-app token in our environment would win over the bench's. */
export const connectorChildEnv = (extra: Record<string, string>) => serverEnv(extra, ['SCIM_BRIDGE_TOKEN_15FIVE']);

export interface GatewayChildOptions {
  files: BenchFiles;
  /** The emulator's origin (its API lives under /api/public). */
  emulatorOrigin: string;
  apiKey: string;
  token: string;
  logLevel: string;
  /** Extra environment (SCIM_BRIDGE_DATABASE_URL for a gateway on PostgreSQL). */
  env?: Record<string, string>;
  progress(message: string): void;
}

export async function startGatewayChild(options: GatewayChildOptions): Promise<{ server: ServerChild; origin: string }> {
  const { files } = options;
  if (!existsSync(GATEWAY_SCRIPT)) throw new Error(`bench: ${GATEWAY_SCRIPT} does not exist (npm run build)`);
  const port = await freePort();
  options.progress(`starting the gateway on port ${port} (config ${files.configFile}, plugins ${files.pluginsDir})`);
  const server = await startServer({
    name: 'gateway',
    script: GATEWAY_SCRIPT,
    cwd: REPO_ROOT,
    env: connectorChildEnv({
      SCIM_BRIDGE_TOKEN: options.token,
      SCIM_BRIDGE_DATA_DIR: files.dataDir,
      SCIM_BRIDGE_CONFIG: files.configFile,
      SCIM_BRIDGE_PLUGINS_DIR: files.pluginsDir,
      SCIM_BRIDGE_LOG_LEVEL: options.logLevel,
      FIFTEEN_FIVE_BASE_URL: `${options.emulatorOrigin}/api/public`,
      FIFTEEN_FIVE_API_KEY: options.apiKey,
      ...options.env,
    }),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  return { server, origin: `http://127.0.0.1:${port}` };
}
