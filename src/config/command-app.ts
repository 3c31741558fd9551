/**
 * What every command that works on one app starts with: the configuration and the app named by `--app`,
 * or — said on stderr — why not (exit 1: the configuration is wrong; exit 2: no such app).
 */
import { ConfigError, type AppConfig, type GatewayConfig } from './load.js';

export function commandApp(command: string, name: string, load: () => GatewayConfig, stderr: { write(s: string): unknown }): { config: GatewayConfig; app: AppConfig } | number {
  let config: GatewayConfig;
  try {
    config = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return 1;
  }
  const app = config.apps.get(name);
  if (!app) {
    stderr.write(`scim-bridge ${command}: no app "${name}" in ${config.file} (apps: ${[...config.apps.keys()].join(', ')})\n`);
    return 2;
  }
  return { config, app };
}
