/**
 * Starts a real gateway for a test: a configuration file in a temp dir, a real SQLite file, a real HTTP
 * server on a loopback port. Nothing of our own is mocked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { closeServer, createHttpServer } from '../../src/http/connections.js';
import { createLogger } from '../../src/http/logging.js';
import type { Store } from '../../src/store/types.js';

export const TEST_TOKEN = 'test-secret-token-0123456789abcdef';
export const SCIM = 'application/scim+json';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const FIFTEEN_FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';

export const DEFAULT_CONFIG_PATH = resolve(import.meta.dirname, '../../config/gateway.yaml');

export interface TestGateway {
  /** The app's SCIM base, e.g. http://127.0.0.1:1234/apps/directory/scim/v2 */
  base: string;
  origin: string;
  gateway: Gateway;
  /** Every log line the gateway wrote, raw. */
  logs: string[];
  dataDir: string;
  /** fetch against `base` with the bearer token and SCIM content type unless overridden. */
  call(path: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** YAML of a configuration to use instead of config/gateway.yaml. */
  configYaml?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep using this data dir (restart tests). */
  dataDir?: string;
  app?: string;
  logLevel?: string;
  /** An open store to use instead of the configured one (it stays open when the gateway closes). */
  store?: Store;
}

export async function startGateway(options: StartOptions = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'scim-bridge-test-'));
  let configPath = DEFAULT_CONFIG_PATH;
  if (options.configYaml !== undefined) {
    configPath = join(dataDir, 'gateway.yaml');
    writeFileSync(configPath, options.configYaml);
  }
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  const log = createLogger({ level: options.logLevel ?? 'debug', destination });
  const env = options.env ?? { SCIM_BRIDGE_TOKEN: TEST_TOKEN };
  const config = loadConfig(configPath, { dataDir, env });
  const gateway = await createGateway(config, { env, log, ...(options.store ? { store: options.store } : {}) });
  // The same server options as `npm start` (header size, timeouts), from the configuration.
  const server: Server = createHttpServer(gateway.handler, config.security.http, { maxConnections: config.server.maxConnections }, log);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}/apps/${options.app ?? 'directory'}/scim/v2`;

  return {
    base,
    origin,
    gateway,
    logs,
    dataDir,
    call(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('Authorization', `Bearer ${token ?? TEST_TOKEN}`);
      if (json !== undefined) {
        if (!headers.has('Content-Type')) headers.set('Content-Type', SCIM);
        rest.body = JSON.stringify(json);
      }
      const url = path.startsWith('http') ? path : `${base}${path}`;
      return fetch(url, { ...rest, headers });
    },
    async close() {
      await closeServer(server, 1000);
      await gateway.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a SCIM response: asserts nothing itself, returns status, headers and parsed body. */
export async function read(res: Response): Promise<{ status: number; type: string | null; body: any; headers: Headers }> {
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export function patchOp(...operations: object[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}
