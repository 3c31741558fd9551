/** Plugins: the YAML format, its compiler and the mapping engine the REST connector runs. */
export { loadPlugin, defaultPluginsDir, type PluginLoad } from './load.js';
export { lookupKey } from './compile-resource.js';
export { HOOK_NAMES, HookError, type HookContext, type HookName, type PluginHooks } from './hooks.js';
export { MappingError } from './operations.js';
export { mapRecord, writeFields, placeholderId, type MapOptions } from './mapping.js';
export type * from './types.js';
export { validatePlugins, type PluginsReport } from './validate.js';
export { PLUGINS_DIR_ENV } from './app-config.js';
