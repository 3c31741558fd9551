/**
 * `npm run demo`: the five bundled emulators (15Five, BambooHR, HiBob, Personio, 15Five's SCIM endpoint) on fixed loopback ports and the
 * gateway on config/demo.yaml wired to them, so a newcomer can provision through SCIM and look at the
 * native records next to the SCIM ones. Ctrl-C stops everything.
 *
 * Env: SCIM_BRIDGE_TOKEN (required, >= 16 characters), PORT (gateway, default 8080),
 * DEMO_PORTS (default "4015,4016,4017,4018,4019"; with four, 15Five's SCIM emulator takes any free port), SCIM_BRIDGE_DATA_DIR (default ./data/demo, emptied at start:
 * the emulators start empty too).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from './index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const token = process.env.SCIM_BRIDGE_TOKEN ?? '';
  if (token.length < 16) fail('set SCIM_BRIDGE_TOKEN (at least 16 characters): SCIM_BRIDGE_TOKEN=... npm run demo');
  const port = process.env.PORT ?? '8080';
  const ports = (process.env.DEMO_PORTS ?? '4015,4016,4017,4018,4019').split(',').map(Number);
  if (![4, 5].includes(ports.length) || ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) fail('DEMO_PORTS must be four or five ports');
  const dataDir = resolve(process.env.SCIM_BRIDGE_DATA_DIR ?? 'data/demo');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const emulators: Emulator[] = [];
  const [fifteen, bamboo, bob, personio, fifteenScim] = [
    await startEmulator('15five', { port: ports[0]! }),
    await startEmulator('bamboohr', { port: ports[1]! }),
    await startEmulator('hibob', { port: ports[2]! }),
    await startEmulator('personio', { port: ports[3]! }),
    await startEmulator('15five-scim', { port: ports[4] ?? 0 }),
  ];
  emulators.push(fifteen, bamboo, bob, personio, fifteenScim);
  // 15Five's API cannot create groups: the demo company has two, for Entra's groups to be adopted by name.
  fifteen.seedGroup({ name: 'Engineering' });
  fifteen.seedGroup({ name: 'Sales' });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: port,
    SCIM_BRIDGE_CONFIG: resolve(ROOT, 'config/demo.yaml'),
    SCIM_BRIDGE_DATA_DIR: dataDir,
    FIFTEEN_FIVE_BASE_URL: fifteen.url,
    FIFTEEN_FIVE_API_KEY: fifteen.credentials.apiKey,
    BAMBOOHR_BASE_URL: bamboo.url,
    BAMBOOHR_API_KEY: bamboo.credentials.apiKey,
    HIBOB_BASE_URL: bob.url,
    HIBOB_SERVICE_USER: bob.credentials.serviceUser,
    HIBOB_TOKEN: bob.credentials.token,
    PERSONIO_BASE_URL: personio.url,
    PERSONIO_CLIENT_ID: personio.credentials.clientId,
    PERSONIO_CLIENT_SECRET: personio.credentials.clientSecret,
    FIFTEEN_FIVE_SCIM_URL: fifteenScim.url,
    FIFTEEN_FIVE_SCIM_TOKEN: fifteenScim.credentials.token,
  };
  const gateway = spawn(process.execPath, [resolve(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: 'inherit' });

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('');
  out('scim-bridge demo');
  out(`  SCIM (token: $SCIM_BRIDGE_TOKEN)   http://localhost:${port}/apps/{15five,bamboohr,hibob,personio,15five-scim}/scim/v2`);
  out(`  15Five emulator    ${fifteen.url}    Authorization: ${fifteen.credentials.apiKey}`);
  out(`  BambooHR emulator  ${bamboo.url}       Basic ${bamboo.credentials.apiKey}:x, Accept: application/json`);
  out(`  HiBob emulator     ${bob.url}            Basic ${bob.credentials.serviceUser}:${bob.credentials.token}`);
  out(`  Personio emulator  ${personio.url}         POST /auth {"client_id": "${personio.credentials.clientId}", "client_secret": "${personio.credentials.clientSecret}"}`);
  out(`  15Five SCIM emulator ${fifteenScim.url}    Authorization: Bearer ${fifteenScim.credentials.token}`);
  out('  (emulator credentials are the emulators\' public defaults, not secrets)');
  out('');

  const stop = async () => {
    gateway.kill('SIGTERM');
    await Promise.all(emulators.map((e) => e.close()));
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  gateway.on('exit', (code) => {
    void Promise.all(emulators.map((e) => e.close())).then(() => process.exit(code ?? 0));
  });
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
