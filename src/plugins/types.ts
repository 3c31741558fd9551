/** A plugin after compile.ts: everything checked, every rule and template ready to run. */
import type { ConnectionSettings, HttpMethod } from '../connectors/http/types.js';
import type { AttrPathRef } from '../scim/filter/ast.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import type { PagingInput } from './format.js';
import type { HookSlot } from './hooks.js';
import type { CompiledMapping } from './mapping.js';
import type { PathScope } from './scim-paths.js';
import type { LocationTemplate, PathTemplate } from './templates.js';

export interface CompiledOperation {
  /** e.g. `users.create`, for logs, the audit trail and error rules. */
  name: string;
  method: HttpMethod;
  path: PathTemplate;
  query?: Readonly<Record<string, string | number | boolean>>;
  /** A JSON template (search, deactivate, reactivate). */
  body?: unknown;
}

export interface CompiledCreate extends CompiledOperation {
  id: { body: string } | { location: LocationTemplate };
}

export interface CompiledUpdate extends CompiledOperation {
  send: 'changed' | 'full';
}

export interface CompiledSearch extends CompiledOperation {
  /** Canonical lookup keys (see lookupKey) the search answers. */
  by: ReadonlySet<string>;
  match: string;
  /** The field of a result holding its native id. */
  id: string;
  caseExact: boolean;
  results?: string;
  paging: PagingInput;
  maxPages: number;
  thenRead: boolean;
}

export type ActiveMode =
  | { mode: 'flag'; field: string; active: unknown; inactive: unknown }
  | { mode: 'endpoint' }
  | { mode: 'delete' }
  | { mode: 'ignore' };

export interface CompiledResource {
  type: ResourceTypeName;
  /** `users` or `groups`: the section of plugin.yaml. */
  section: 'users' | 'groups';
  scope: PathScope;
  toNative: CompiledMapping;
  toScim: CompiledMapping;
  operations: {
    create: CompiledCreate;
    read?: CompiledOperation;
    update: CompiledUpdate;
    delete?: CompiledOperation;
    search?: CompiledSearch;
    deactivate?: CompiledOperation;
    reactivate?: CompiledOperation;
  };
  active: ActiveMode;
  delete: 'native' | 'deactivate' | 'ignore';
  /** SCIM attributes the native API requires (`requires`), canonical. */
  requires: readonly AttrPathRef[];
}

export interface CompiledErrorRule {
  statuses: readonly number[];
  operation?: string;
  /** Lower-cased. */
  bodyContains?: string;
  header?: { name: string; contains: string };
  /** The SCIM error to answer; undefined when the answer counts as success (`ignore`). */
  scim?: { status: number; scimType?: string; detail: string };
}

export interface Downstream {
  baseUrl: string;
  credentials: Readonly<Record<string, string>>;
}

export interface CompiledPlugin {
  name: string;
  description: string;
  /** The plugin directory (absolute) and plugin.yaml as shown in messages. */
  dir: string;
  file: string;
  /** Names the app's `downstream.credentials` must supply. */
  credentials: readonly string[];
  /** Extension schemas the plugin brings (the enterprise extension included when declared). */
  extensions: { User: readonly SchemaDefinition[]; Group: readonly SchemaDefinition[] };
  registry: SchemaRegistry;
  users: CompiledResource;
  /** What the native API requires of each resource type: the app's schemas mark these required. */
  requires: { User: readonly AttrPathRef[]; Group: readonly AttrPathRef[] };
  /** Undefined when groups are gateway-only. */
  groups?: CompiledResource;
  errors: readonly CompiledErrorRule[];
  /** The native client's settings for one app's base URL and credentials. */
  connection(downstream: Downstream): ConnectionSettings;
  hooks: HookSlot;
}
