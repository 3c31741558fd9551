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
import type { JsonObject } from '../store/types.js';

export interface CompiledOperation {
  /** e.g. `users.create`, for logs, the audit trail and error rules. */
  name: string;
  method: HttpMethod;
  path: PathTemplate;
  query?: Readonly<Record<string, string | number | boolean>>;
  /** A JSON template (search, deactivate, reactivate). */
  body?: unknown;
}

/** Turns one native record, as an operation answers it, into its fields by native field name. */
export type ReadView = (record: JsonObject) => JsonObject;

export interface CompiledRead extends CompiledOperation {
  /** Where the record is in the answer; undefined: the answer is the record. */
  record?: string;
  view: ReadView;
}

export interface CompiledWrite extends CompiledOperation {
  /** The body around the mapped fields, "{fields}" standing for them; undefined: the fields are the body. */
  envelope?: unknown;
  /** Read the record back after the write and compare what was written. */
  verify: boolean;
}

export interface CompiledCreate extends CompiledWrite {
  /** Where the new id is: a path in the answer, the Location header, and/or (`search`) a search afterwards. */
  id: { body?: string; location?: LocationTemplate; search: boolean };
  /** The endpoint creates or updates by a key: repeating it is safe. */
  upsert: boolean;
}

export interface CompiledUpdate extends CompiledWrite {
  send: 'changed' | 'full';
}

export interface CompiledSearch extends CompiledOperation {
  view: ReadView;
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

/** Every native record, page by page (`operations.list`, users only): reconcile's view of the native side. */
export interface CompiledList extends CompiledOperation {
  view: ReadView;
  /** The field of a record holding its native id. */
  id: string;
  results?: string;
  paging: PagingInput;
  /** Where the answer gives the number of records in all. */
  total?: string;
  thenRead: boolean;
}

export type ActiveMode =
  /** `active`/`inactive` are written; `states` lists the values read as each. */
  | { mode: 'flag'; field: string; active: unknown; inactive: unknown; states: { active: readonly unknown[]; inactive: readonly unknown[] } }
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
    /** Always present for users; groups may have none (`create: never`). */
    create?: CompiledCreate;
    read?: CompiledRead;
    /** Always present for users. */
    update?: CompiledUpdate;
    delete?: CompiledOperation;
    search?: CompiledSearch;
    list?: CompiledList;
    deactivate?: CompiledOperation;
    reactivate?: CompiledOperation;
  };
  active: ActiveMode;
  delete: 'native' | 'deactivate' | 'ignore';
  /** Groups: whether the API can create them. */
  create: 'native' | 'never';
  /** Groups: where membership is written. */
  members: MembersOn;
  /** toNative targets a read-back can check (their value comes back through toScim). */
  verifiable: ReadonlySet<string>;
  /** SCIM attributes the native API requires (`requires`), canonical. */
  requires: readonly AttrPathRef[];
}

export type MembersOn = { on: 'group' } | { on: 'user'; field: string; as: 'string' | 'integer' };

export interface CompiledErrorRule {
  statuses: readonly number[];
  /** The operations it applies to (undefined: every one). */
  operations?: readonly string[];
  /** Lower-cased. */
  bodyContains?: string;
  header?: { name: string; contains: string };
  /** A field of the JSON answer equals `equals`, or (`notEmpty`) is a non-empty list, object or string. */
  bodyField?: { path: string; equals?: { value: unknown }; notEmpty?: true };
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
