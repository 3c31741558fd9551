/**
 * `npm start`: reads the environment contract (PORT, SCIM_BRIDGE_CONFIG, SCIM_BRIDGE_DATA_DIR,
 * SCIM_BRIDGE_TOKEN[_<APP>], SCIM_BRIDGE_LOG_LEVEL), starts the gateway, stops it cleanly on SIGTERM/SIGINT.
 */
import type { Logger } from 'pino';
import { listenAdmin, type AdminListener } from './admin/listen.js';
import { createGateway, type Gateway } from './app.js';
import { EnvironmentError, readStartEnvironment } from './config/environment.js';
import { ConfigError, loadConfig } from './config/load.js';
import { SecretError } from './auth/secrets.js';
import { closeServer, createHttpServer } from './http/connections.js';
import { createLogger } from './http/logging.js';

async function main(): Promise<void> {
  const env = process.env;
  const { port, dataDir, configFile, logLevel } = readStartEnvironment(env);
  const log = createLogger({ level: logLevel });
  const config = loadConfig(configFile, { dataDir });

  const gateway = await createGateway(config, { env, log });
  const server = createHttpServer(gateway.handler, config.security.http, { maxConnections: config.server.maxConnections }, log);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, () => done());
  });
  const address = server.address();
  log.info({ port: typeof address === 'object' && address ? address.port : port, config: config.file, store: config.store.kind }, 'scim-bridge listening');
  // The operator's listener (/metrics, /admin): its own address, loopback unless configured otherwise.
  // SCIM_BRIDGE_ADMIN_LISTEN (host:port, or "false") wins over admin.listen: one configuration, several hosts or ports.
  const listen = env.SCIM_BRIDGE_ADMIN_LISTEN ? (env.SCIM_BRIDGE_ADMIN_LISTEN === 'false' ? false : env.SCIM_BRIDGE_ADMIN_LISTEN) : config.admin.listen;
  const admin = listen === false ? undefined : await startAdmin(gateway.admin, listen, log);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void Promise.all([closeServer(server, config.server.shutdownGraceSeconds * 1000), admin?.close()])
      .then(() => gateway.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // SIGHUP: re-read the configuration and swap in every app's new credentials (secrets, JWT settings) at
  // once; requests in flight finish with the old ones. A broken configuration is logged and changes nothing.
  process.on('SIGHUP', () => {
    try {
      const summary = gateway.reloadAuth(loadConfig(configFile, { dataDir }));
      log.info(summary, 'credentials reloaded');
      if (summary.ignored.length > 0) log.warn({ apps: summary.ignored }, 'new apps need a restart to be served');
    } catch (error) {
      const message = error instanceof ConfigError || error instanceof SecretError ? error.message : String(error);
      log.error({ error: message }, 'configuration reload failed; the previous credentials stay in force');
    }
  });
}

/**
 * The admin listener, or none when its address is taken (several replicas on one host with the default
 * address): the SCIM service does not stop for its metrics, and the warning says what to set.
 */
async function startAdmin(app: Gateway['admin'], listen: string, log: Logger): Promise<AdminListener | undefined> {
  try {
    const admin = await listenAdmin(app, listen);
    log.info({ admin: admin.where }, 'admin listener (metrics, admin page)');
    return admin;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
    log.warn({ admin: listen, code }, 'admin listener not started: its address is not available (set admin.listen, or false)');
    return undefined;
  }
}

main().catch((error: unknown) => {
  if (error instanceof EnvironmentError) {
    for (const problem of error.problems) process.stderr.write(`scim-bridge: ${problem}\n`);
  } else if (error instanceof ConfigError || error instanceof SecretError) {
    process.stderr.write(`scim-bridge: ${error.message}\n`);
  } else {
    process.stderr.write(`scim-bridge: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
