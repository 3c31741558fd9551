/**
 * Loading a configuration without the tenants' credentials (`validate --offline`, `explain`): a variable
 * the configuration reports unset gets a stand-in that is both a valid URL and a harmless credential
 * (`https://unset-<variable>.invalid`), so everything else is still checked and an unset base URL shows as
 * such. Problems other than unset variables are reported as usual.
 */
import { UNSET_VARIABLE } from '../plugins/app-config.js';
import { ConfigError, loadConfig, type GatewayConfig, type LoadOptions } from './load.js';

export interface LoadedWithStandIns {
  config: GatewayConfig;
  /** The variables that were unset, in the order the configuration names them. */
  unset: string[];
  /** The loader's problems about them, for a caller that reports them after all. */
  unsetProblems: string[];
}

export const standIn = (name: string) => `https://unset-${name.toLowerCase().replace(/_/g, '-')}.invalid`;

/** Throws ConfigError when anything but an unset variable is wrong. */
export function loadConfigWithStandIns(file: string, options: LoadOptions & { env: NodeJS.ProcessEnv }): LoadedWithStandIns {
  try {
    return { config: loadConfig(file, options), unset: [], unsetProblems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const unset = error.problems.map((p) => UNSET_VARIABLE.exec(p)?.[1]);
    if (unset.some((name) => name === undefined)) throw error;
    const names = [...new Set(unset as string[])];
    const env = { ...options.env, ...Object.fromEntries(names.map((name) => [name, standIn(name)])) };
    return { config: loadConfig(file, { ...options, env }), unset: names, unsetProblems: error.problems };
  }
}
