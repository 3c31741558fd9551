/**
 * A connector carries SCIM changes to the system of record. The resource service calls it after a
 * request is validated and before the store commits, so a native failure leaves the store unchanged.
 * `store` (the gateway is the system of record) does nothing; `rest` executes a plugin.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { JsonObject } from '../store/types.js';

export interface ConnectorContext {
  requestId: string;
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

export interface Connector {
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
