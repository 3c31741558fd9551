/**
 * `npm start`: reads the environment contract (PORT, SCIM_BRIDGE_CONFIG, SCIM_BRIDGE_DATA_DIR,
 * SCIM_BRIDGE_TOKEN[_<APP>], SCIM_BRIDGE_LOG_LEVEL), starts the gateway, stops it cleanly on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { closeServer, createGateway } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { SecretError } from './auth/secrets.js';
import { createLogger } from './http/logging.js';

async function main(): Promise<void> {
  const env = process.env;
  const log = createLogger({ level: env.SCIM_BRIDGE_LOG_LEVEL ?? 'info' });
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([`PORT: "${env.PORT}" is not a port number`]);
  const dataDir = resolve(env.SCIM_BRIDGE_DATA_DIR ?? './data');
  const config = loadConfig(env.SCIM_BRIDGE_CONFIG ?? 'config/gateway.yaml', { dataDir });

  const gateway = await createGateway(config, { env, log });
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000, maxHeaderSize: 16 * 1024 }, gateway.handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, () => done());
  });
  const address = server.address();
  log.info({ port: typeof address === 'object' && address ? address.port : port, config: config.file, store: config.store.kind }, 'scim-bridge listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void closeServer(server)
      .then(() => gateway.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SecretError) {
    process.stderr.write(`scim-bridge: ${error.message}\n`);
  } else {
    process.stderr.write(`scim-bridge: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
