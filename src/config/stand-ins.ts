/**
 * Loading a configuration without the tenants' credentials (`validate --offline`, `explain`): a variable
 * the configuration reports unset gets a stand-in — for a base URL a valid one
 * (`https://unset-<variable>.invalid`, so it shows as such), for a credential a harmless word
 * (`unset-<variable>`, which every auth scheme can carry: no ":" for HTTP Basic) — so everything else is
 * still checked. Problems other than unset variables are reported as usual.
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

const word = (name: string) => `unset-${name.toLowerCase().replace(/_/g, '-')}`;
const standIn = (name: string, url = true) => (url ? `https://${word(name)}.invalid` : word(name));

/** Throws ConfigError when anything but an unset variable is wrong. */
export function loadConfigWithStandIns(file: string, options: LoadOptions & { env: NodeJS.ProcessEnv }): LoadedWithStandIns {
  try {
    return { config: loadConfig(file, options), unset: [], unsetProblems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const unset = error.problems.map((p) => ({ name: UNSET_VARIABLE.exec(p)?.[1], url: p.includes('.baseUrl') || p.includes('.url:') }));
    if (unset.some(({ name }) => name === undefined)) throw error;
    const names = [...new Set(unset.map(({ name }) => name!))];
    const isUrl = (name: string) => unset.some((u) => u.name === name && u.url);
    const env = { ...options.env, ...Object.fromEntries(names.map((name) => [name, standIn(name, isUrl(name))])) };
    return { config: loadConfig(file, { ...options, env }), unset: names, unsetProblems: error.problems };
  }
}
