/**
 * A connector carries SCIM changes to the system of record. The resource service calls it after a
 * request is validated and before the store commits, so a native failure leaves the store unchanged.
 * `store` (the gateway is the system of record) does nothing; `rest` executes a plugin.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { JsonObject } from '../store/types.js';

export interface ConnectorContext {
  /** SCIM id → native id of another resource of the same app (manager, group members); undefined when unmapped. */
  nativeIdOf(type: ResourceTypeName, scimId: string): Promise<string | undefined>;
  /** native id → SCIM id, for references in adopted native records. */
  scimIdOf(type: ResourceTypeName, nativeId: string): Promise<string | undefined>;
  /** The SCIM ids of the groups a user is a member of, as the store holds them now (before this write commits). */
  groupsOf(userId: string): Promise<string[]>;
  /**
   * create: a value a native search answered no record for while the store's claim on this resource's
   * unique key was held without a break (a lookup's claim, parked, then taken over by this write's; see
   * Store.park). No write of that key could have made the record since: the connector need not search
   * for it again before creating.
   */
  knownAbsent?: string;
  /** find: told when a native search for `value` answered no record at all (an ambiguous answer is not absence). */
  onAbsent?(value: string): void;
}

/** A native record seen through the plugin's native → SCIM mapping. */
export interface NativeMatch {
  nativeId: string;
  /** Canonical-ish SCIM resource (schemas, attributes, extension URN keys); validated by the caller. */
  resource: JsonObject;
}

/** An equality the gateway may look up natively when its store has no match (adoption). */
export interface NativeLookup {
  /** Canonical SCIM path as written in a filter, e.g. 'userName', 'externalId', 'emails.value'. */
  path: string;
  value: string;
}

/** A native record as reconcile sees it. */
export interface NativeRecord {
  nativeId: string;
  /** Through the plugin's native → SCIM mapping (references as SCIM ids where the id map has them). */
  resource: JsonObject;
  /** Its value in the field adoption matches on (the plugin's search `match`), when it has one. */
  matchValue?: string;
  /** The record as answered and as the read side sees it: handed back to `differences` and `repair`. */
  raw: JsonObject;
  view: JsonObject;
}

export interface NativePage {
  records: NativeRecord[];
  /** Where the next page is (opaque, kept in reconcile's checkpoint); absent after the last page. */
  next?: string;
  /** How many records there are in all, when the API says. */
  total?: number;
}

/** A native field whose value is not the one the gateway's resource maps to, both in native terms. */
export interface FieldDifference {
  field: string;
  native: unknown;
  gateway: unknown;
}

/** What reconcile needs of a connector whose plugin can list every native record (`operations.list`). */
export interface Reconcilable {
  /** One page of every native record of the type; `cursor` undefined for the first. */
  listPage(type: ResourceTypeName, cursor: string | undefined, ctx: ConnectorContext): Promise<NativePage>;
  /** The native record; null when the API says it is gone (404); undefined when the plugin has no `read` to ask with. */
  readNative(type: ResourceTypeName, nativeId: string, ctx: ConnectorContext): Promise<NativeRecord | null | undefined>;
  /** The fields an update would send to bring the native record to the gateway's resource. */
  differences(type: ResourceTypeName, record: NativeRecord, gateway: JsonObject, ctx: ConnectorContext): Promise<FieldDifference[]>;
  /** Sends those fields (the update path: create-only fields refused or reported as the plugin says). */
  repair(type: ResourceTypeName, record: NativeRecord, gateway: JsonObject, ctx: ConnectorContext): Promise<void>;
}

export interface Connector {
  /** Present when the connector can list every native record (reconcile); a plugin without `list` has none. */
  readonly reconcile?: Reconcilable | undefined;

  /**
   * True when the connector does native work (a downstream API); the service then claims each write's
   * keys in the store before the connector acts, so no two replicas act for the same resource at once.
   */
  readonly native: boolean;

  /**
   * Creates the resource natively (or adopts an existing native record the plugin finds for it) and
   * returns its native id. Must never create two native records for one call, even when a timed-out
   * request is retried (search before retrying a non-idempotent create).
   */
  create(type: ResourceTypeName, resource: JsonObject, ctx: ConnectorContext): Promise<{ nativeId?: string }>;

  /** Brings the native record from `before` to `after` (full SCIM resources), sending only what changed. */
  update(type: ResourceTypeName, nativeId: string, before: JsonObject, after: JsonObject, ctx: ConnectorContext): Promise<void>;

  /** Deletes (or deactivates, per the plugin's delete mode) the native record. */
  delete(type: ResourceTypeName, nativeId: string, resource: JsonObject, ctx: ConnectorContext): Promise<void>;

  /** Which lookups `find` can answer natively (e.g. users by 'emails.value' and 'userName'). */
  canFind(type: ResourceTypeName, path: string): boolean;

  /** An existing native record matching the lookup, for adoption; undefined when there is none. */
  find(type: ResourceTypeName, lookup: NativeLookup, ctx: ConnectorContext): Promise<NativeMatch | undefined>;

  /**
   * Other resources a write changes natively besides its own (a group change written on its members'
   * records): the service claims them for the write's duration, so no other write changes them meanwhile.
   */
  affects?(type: ResourceTypeName, before: JsonObject | undefined, after: JsonObject | undefined): { type: ResourceTypeName; ids: string[] } | undefined;

  /** What the downstream system cannot do that a client may try, for the app's ServiceProviderConfig. */
  limitations?(): string[];

  /** Releases what the connector holds (connections, timers) when the gateway stops. */
  close?(): Promise<void>;
}

/** The store connector: the gateway is the system of record; every call is a no-op. */
export const storeConnector: Connector = {
  native: false,
  create: async () => ({}),
  update: async () => {},
  delete: async () => {},
  canFind: () => false,
  find: async () => undefined,
};
