/**
 * A REST connector wired to a real emulator: the bundled plugin, the emulator's URL and credentials, a
 * real native client, and an in-memory id map as the ConnectorContext (what the resource service's store
 * provides in the gateway).
 */
import { pino } from 'pino';
import type { NativeCallEvent } from '../../../src/connectors/http/index.js';
import { createRestConnector, type ConnectorDecision } from '../../../src/connectors/rest/index.js';
import type { Connector, ConnectorContext } from '../../../src/connectors/types.js';
import { defaultPluginsDir, loadPlugin, type CompiledPlugin } from '../../../src/plugins/index.js';
import type { ResourceTypeName } from '../../../src/scim/schemas/registry.js';
import { startEmulator, type Emulator, type EmulatorKind } from '../../emulators/index.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const FIFTEEN_FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';
export const PERSONIO = 'urn:ietf:params:scim:schemas:extension:personio:2.0:User';

/** SCIM id ↔ native id, per type, and the users' groups, as the store keeps them. */
export class IdMap implements ConnectorContext {
  readonly requestId = 'test';
  private readonly toNative = new Map<string, string>();
  private readonly toScim = new Map<string, string>();
  /** user SCIM id → the SCIM ids of its groups. */
  readonly memberships = new Map<string, string[]>();
  set(type: ResourceTypeName, scimId: string, nativeId: string): void {
    this.toNative.set(`${type}:${scimId}`, nativeId);
    this.toScim.set(`${type}:${nativeId}`, scimId);
  }
  async nativeIdOf(type: ResourceTypeName, scimId: string) {
    return this.toNative.get(`${type}:${scimId}`);
  }
  async scimIdOf(type: ResourceTypeName, nativeId: string) {
    return this.toScim.get(`${type}:${nativeId}`);
  }
  async groupsOf(userId: string) {
    return [...(this.memberships.get(userId) ?? [])];
  }
  /** What the store does when a group write commits: `group`'s members are exactly `members`. */
  commitMembers(group: string, members: readonly string[]): void {
    for (const [user, groups] of this.memberships) this.memberships.set(user, groups.filter((g) => g !== group));
    for (const user of members) this.memberships.set(user, [...(this.memberships.get(user) ?? []), group]);
  }
}

export function bundledPlugin(name: string): CompiledPlugin {
  const { plugin, problems } = loadPlugin(defaultPluginsDir(), name);
  if (!plugin) throw new Error(problems.join('\n'));
  return plugin;
}

export interface Rig {
  emu: Emulator;
  connector: Connector & { close(): Promise<void> };
  ids: IdMap;
  plugin: CompiledPlugin;
  close(): Promise<void>;
}

/** Fixed so `{today}` is known: 2025-06-30. */
export const NOW = new Date('2025-06-30T12:00:00Z');

export interface RigOptions {
  /** Shorter attempt timeout and quick retries (the 'slow' fault answers after 30 s). */
  timeoutMs?: number;
  /** Sees every native call attempt as it ends (tests switch faults from here). */
  onCall?: (event: NativeCallEvent) => void;
  /** Sees every adoption decision and read-back verdict. */
  onDecision?: (decision: ConnectorDecision) => void;
  /** The plugin to run instead of the bundled one of that name (an edited copy). */
  plugin?: CompiledPlugin;
}

export async function startRig(kind: EmulatorKind, options: RigOptions = {}): Promise<Rig> {
  const { timeoutMs } = options;
  const emu = await startEmulator(kind);
  const base = options.plugin ?? bundledPlugin(kind);
  // The plugin's real budget (5-10 requests/s) would only slow the tests down; the rest is the plugin's own.
  const plugin: CompiledPlugin = {
    ...base,
    connection: (d) => ({
      ...base.connection(d),
      rateLimit: { requestsPerSecond: 10_000, concurrency: 16 },
      ...(timeoutMs === undefined ? {} : { timeoutMs, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }),
    }),
  };
  const connector = createRestConnector(
    plugin,
    { baseUrl: emu.url, credentials: emu.credentials },
    {
      log: pino({ level: 'silent' }),
      now: () => NOW,
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    },
  );
  return {
    emu,
    connector,
    ids: new IdMap(),
    plugin,
    async close() {
      await connector.close();
      await emu.close();
    },
  };
}

/** The native requests that changed something (no searches, no reads, no token requests). */
export function writes(emu: Emulator) {
  return emu.requests().filter((r) => r.method !== 'GET' && !r.path.endsWith('/search') && !r.path.endsWith('/auth'));
}
