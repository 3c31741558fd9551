/**
 * The code side of a plugin, for what YAML cannot say: an optional `hooks.ts` (or `hooks.js`) in the
 * plugin directory exporting functions with names from a FIXED list. Any other export is refused when
 * the plugin loads: hooks cannot grow into a second, unchecked plugin format.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { JsonObject } from '../store/types.js';

export const HOOK_NAMES = ['beforeCreate', 'beforeUpdate', 'afterRead'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface HookContext {
  type: ResourceTypeName;
  /** The SCIM resource the call is about (after, for updates). */
  resource: JsonObject;
}

type Maybe<T> = T | undefined | void | Promise<T | undefined | void>;

export interface PluginHooks {
  /** The native body of a create, before it is sent; return a replacement or change it in place. */
  beforeCreate?(body: JsonObject, ctx: HookContext): Maybe<JsonObject>;
  /** The native body of an update (only what changed, or everything for `send: full`). */
  beforeUpdate?(body: JsonObject, ctx: HookContext & { nativeId: string }): Maybe<JsonObject>;
  /** The SCIM view of a native record read for adoption, with the record it came from. */
  afterRead?(resource: JsonObject, native: JsonObject, ctx: { type: ResourceTypeName; nativeId: string }): Maybe<JsonObject>;
}

export interface HookSlot {
  /** The hooks file, when the plugin has one. */
  file?: string;
  /** Imports and checks the file once; later calls share the result. Throws HookError. */
  load(): Promise<PluginHooks>;
}

export class HookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookError';
  }
}

/** Node 20 runs `.js`; `.ts` is for runtimes that load TypeScript (vitest, tsx). */
const CANDIDATES = ['hooks.js', 'hooks.mjs', 'hooks.ts'];

export function hookSlot(dir: string, shownDir: string): HookSlot {
  const found = CANDIDATES.find((name) => existsSync(join(dir, name)));
  if (!found) return { load: async () => ({}) };
  const file = join(dir, found);
  const shown = join(shownDir, found);
  let loading: Promise<PluginHooks> | undefined;
  return {
    file: shown,
    load: () => (loading ??= importHooks(file, shown)),
  };
}

async function importHooks(file: string, shown: string): Promise<PluginHooks> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new HookError(`${shown}: this Node.js cannot load TypeScript; compile it to hooks.js beside it`);
    }
    throw new HookError(`${shown}: cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const hooks: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(module)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) {
      problems.push(`${shown}: unknown hook "${name}" (hooks are ${HOOK_NAMES.join(', ')})`);
    } else if (typeof value !== 'function') {
      problems.push(`${shown}: hook "${name}" must be a function`);
    } else {
      hooks[name] = value;
    }
  }
  if (problems.length > 0) throw new HookError(problems.join('\n'));
  return Object.freeze(hooks) as PluginHooks;
}
