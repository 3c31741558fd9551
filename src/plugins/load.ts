/**
 * Loads `plugins/<name>/`: plugin.yaml and the schema files it names, checked with zod, then compiled.
 * Every problem names the file, the path in it and what is wrong; nothing is thrown one at a time.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { formatPath, loadSchemaFile, readYamlFile, shownPath, zodProblems } from '../config/yaml-file.js';
import { packageRoot } from '../package-info.js';
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
  /** Set when there is no such plugin: what to tell the configuration that names it. */
  notFound?: string;
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
    const names = pluginNames(pluginsDir);
    const near = closest(name, names);
    const there = names.length > 0 ? `there are: ${names.join(', ')}` : 'it holds none';
    const notFound = `no plugin "${name}" in ${shownPath(resolve(pluginsDir))} (${there})${near ? `; did you mean "${near}"?` : ''}`;
    return { problems: [], notFound };
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

/** The plugins in a plugins directory: its subdirectories that hold a plugin.yaml, sorted. */
export function pluginNames(pluginsDir: string): string[] {
  if (!existsSync(pluginsDir)) return [];
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(pluginsDir, e.name, 'plugin.yaml')))
    .map((e) => e.name)
    .sort();
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The candidate nearest to `name`, when it is near enough to be a likely typo. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { name: c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** `<repo>/plugins` (`/app/plugins` in the image). */
export function defaultPluginsDir(): string {
  return join(packageRoot(), 'plugins');
}
