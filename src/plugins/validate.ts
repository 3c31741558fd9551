/**
 * `scim-bridge validate` for plugins: every plugin directory under the plugins directory is loaded and
 * compiled (also the ones no app uses yet: a plugin author validates before wiring an app), and every
 * hooks module is imported and checked against the fixed hook names.
 */
import { HookError } from './hooks.js';
import { loadPlugin, pluginNames } from './load.js';
import type { CompiledPlugin } from './types.js';

export interface PluginsReport {
  plugins: CompiledPlugin[];
  problems: string[];
}

/** `loaded`: plugins the configuration compiled already (not compiled twice). */
export async function validatePlugins(dir: string, loaded: Iterable<CompiledPlugin>): Promise<PluginsReport> {
  const byName = new Map([...loaded].map((p) => [p.name, p]));
  const problems: string[] = [];
  const names = pluginNames(dir);
  for (const name of names) {
    if (byName.has(name)) continue;
    const result = loadPlugin(dir, name);
    problems.push(...result.problems);
    if (result.plugin) byName.set(name, result.plugin);
  }
  const plugins = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const plugin of plugins) {
    try {
      await plugin.hooks.load();
    } catch (error) {
      if (!(error instanceof HookError)) throw error;
      problems.push(...error.message.split('\n'));
    }
  }
  return { plugins, problems };
}
