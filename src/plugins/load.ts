/**
 * Loads `plugins/<name>/`: plugin.yaml and the schema files it names, checked with zod, then compiled.
 * Every problem names the file, the path in it and what is wrong; nothing is thrown one at a time.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { formatPath, loadSchemaFile, readYamlFile, shownPath, zodProblems } from '../config/yaml-file.js';
import { compilePlugin } from './compile.js';
import { pluginFile } from './format.js';
import { hookSlot } from './hooks.js';
import type { Problem } from './mapping.js';
import type { CompiledPlugin } from './types.js';

/** Reads one extension schema file (the format of config/schemas/*.yaml). */
export { loadSchemaFile };

export interface PluginLoad {
  plugin?: CompiledPlugin;
  problems: string[];
}

/** Loads and compiles `<pluginsDir>/<name>/plugin.yaml`. */
export function loadPlugin(pluginsDir: string, name: string): PluginLoad {
  const problems: string[] = [];
  const dir = resolve(pluginsDir, name);
  // The name comes from the configuration: it must not reach outside the plugins directory.
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name) || dirname(dir) !== resolve(pluginsDir)) {
    return { problems: [`plugin "${name}": plugin names are 1-63 lowercase letters, digits, "-" or "_"`] };
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { problems: [`${shownPath(dir)}: no such plugin "${name}" in the plugins directory ${shownPath(resolve(pluginsDir))}`] };
  }
  const full = join(dir, 'plugin.yaml');
  const shown = shownPath(full);
  const raw = readYamlFile(full, problems);
  if (raw === undefined) return { problems };
  const parsed = pluginFile.safeParse(raw);
  if (!parsed.success) return { problems: zodProblems(shown, parsed.error.issues) };
  if (parsed.data.name !== name) problems.push(`${shown}: name: "${parsed.data.name}" must be the directory's name, "${name}"`);

  const compileProblems: Problem[] = [];
  const plugin = compilePlugin(
    {
      file: parsed.data,
      dir,
      shown,
      hooks: hookSlot(dir, shownPath(dir)),
      loadSchema: (relativeFile, index) => {
        const schemaFile = resolve(dir, relativeFile);
        if (!schemaFile.startsWith(`${dir}${sep}`)) {
          compileProblems.push({ path: ['schemas', index, 'file'], message: 'must be inside the plugin directory' });
          return undefined;
        }
        return loadSchemaFile(schemaFile, problems);
      },
    },
    compileProblems,
  );
  problems.push(...compileProblems.map((p) => `${shown}: ${formatPath(p.path)}: ${p.message}`));
  return problems.length > 0 || !plugin ? { problems } : { plugin, problems };
}

/** `<repo>/plugins`: the nearest directory above this module that holds package.json, + `plugins`. */
export function defaultPluginsDir(): string {
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'plugins');
    const parent = dirname(dir);
    if (parent === dir) return resolve('plugins');
    dir = parent;
  }
}
