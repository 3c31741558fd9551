/**
 * A gateway serving one rest app wired by a bundled plugin to a running emulator: everything real, over
 * HTTP on loopback (Entra → gateway → native API emulator).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator, type Emulator, type EmulatorKind, type Faults } from '../emulators/index.js';
import { startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.js';

export const PLUGINS_DIR = resolve(import.meta.dirname, '../../plugins');

/**
 * Stand-in values for every downstream variable config/demo.yaml reads, for tests that load the demo
 * configuration without running its emulators (nothing is sent to these addresses).
 */
export const DEMO_DOWNSTREAM_STAND_INS: Readonly<Record<string, string>> = {
  FIFTEEN_FIVE_API_KEY: 'k',
  BAMBOOHR_BASE_URL: 'http://127.0.0.1:1/api/v1',
  BAMBOOHR_API_KEY: 'k',
  HIBOB_SERVICE_USER: 'u',
  HIBOB_TOKEN: 't',
  PERSONIO_CLIENT_ID: 'c',
  PERSONIO_CLIENT_SECRET: 's',
  FIFTEEN_FIVE_SCIM_URL: 'http://127.0.0.1:1/scim/v2',
  FIFTEEN_FIVE_SCIM_TOKEN: 't',
};

/** The demo configuration's variables for each plugin (config/demo.yaml uses the same names). */
export function downstreamEnv(kind: EmulatorKind, emu: Emulator): Record<string, string> {
  switch (kind) {
    case '15five':
      return { FIFTEEN_FIVE_BASE_URL: emu.url, FIFTEEN_FIVE_API_KEY: emu.credentials.apiKey! };
    case 'bamboohr':
      return { BAMBOOHR_BASE_URL: emu.url, BAMBOOHR_API_KEY: emu.credentials.apiKey! };
    case 'hibob':
      return { HIBOB_BASE_URL: emu.url, HIBOB_SERVICE_USER: emu.credentials.serviceUser!, HIBOB_TOKEN: emu.credentials.token! };
    case '15five-scim':
      return { FIFTEEN_FIVE_SCIM_URL: emu.url, FIFTEEN_FIVE_SCIM_TOKEN: emu.credentials.token! };
    case 'personio':
      return { PERSONIO_BASE_URL: emu.url, PERSONIO_CLIENT_ID: emu.credentials.clientId!, PERSONIO_CLIENT_SECRET: emu.credentials.clientSecret! };
  }
}

export interface Rig {
  emu: Emulator;
  gw: TestGateway;
  close(): Promise<void>;
}

export interface RigOptions {
  faults?: Faults;
  /**
   * Changes to the bundled plugin's YAML (text replacements), applied to a copy in a temp plugins dir —
   * e.g. a shorter timeout for fault tests. Config only, as an operator would do it.
   */
  pluginEdits?: [string, string][];
}

/** The app of config/demo.yaml for `kind`, alone in a configuration (same YAML, one app). */
export function appConfig(kind: EmulatorKind): string {
  const demo = readFileSync(resolve(import.meta.dirname, '../../config/demo.yaml'), 'utf8');
  const start = demo.indexOf(`  ${kind}:\n`);
  if (start < 0) throw new Error(`config/demo.yaml has no app ${kind}`);
  const rest = demo.slice(start + 1);
  const end = rest.search(/\n\n {2}\S/);
  return `apps:\n${demo.slice(start, end < 0 ? undefined : start + 1 + end)}\n`;
}

export async function startRig(kind: EmulatorKind, options: RigOptions = {}): Promise<Rig> {
  const emu = await startEmulator(kind, options.faults ? { faults: options.faults } : {});
  const tempPlugins = options.pluginEdits ? editedPlugins(kind, options.pluginEdits) : undefined;
  const pluginsDir = tempPlugins ?? PLUGINS_DIR;
  const env = { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_PLUGINS_DIR: pluginsDir, ...downstreamEnv(kind, emu) };
  const gw = await startGateway({ configYaml: appConfig(kind), env, app: kind, logLevel: 'info' });
  return {
    emu,
    gw,
    async close() {
      await gw.close();
      await emu.close();
      if (tempPlugins) rmSync(tempPlugins, { recursive: true, force: true });
    },
  };
}

/** A temp copy of the bundled plugins with text replacements in `kind`'s YAML; the caller removes it. */
export function editedPlugins(kind: EmulatorKind, edits: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-plugins-'));
  cpSync(PLUGINS_DIR, dir, { recursive: true });
  const file = join(dir, kind, existsSync(join(dir, kind, 'plugin.yaml')) ? 'plugin.yaml' : 'scim.yaml');
  let yaml = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    if (!yaml.includes(from)) throw new Error(`plugin ${kind} has no "${from}" to edit`);
    yaml = yaml.replace(from, to);
  }
  writeFileSync(file, yaml);
  return dir;
}
