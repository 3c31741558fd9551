/**
 * Runs one emulator as a standalone process (for `npm run demo` and manual trials):
 *
 *   node dist/test/emulators/serve.js 15five --port 4015 [--faults '{"latencyMs":50}']
 *
 * Credentials come from the environment (EMULATOR_15FIVE_API_KEY, EMULATOR_BAMBOOHR_API_KEY,
 * EMULATOR_HIBOB_SERVICE_USER + EMULATOR_HIBOB_TOKEN, EMULATOR_PERSONIO_CLIENT_ID + EMULATOR_PERSONIO_CLIENT_SECRET)
 * or are the defaults in README.md.
 * Prints one line with the URL and where the credentials came from; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { checkFaults } from './faults.js';
import { DEFAULT_CREDENTIALS, EMULATOR_KINDS, startEmulator, type EmulatorKind, type Faults } from './index.js';

/** Which environment variable feeds which credential of each kind. */
const CREDENTIAL_ENV: Record<EmulatorKind, Record<string, string>> = {
  '15five': { apiKey: 'EMULATOR_15FIVE_API_KEY' },
  bamboohr: { apiKey: 'EMULATOR_BAMBOOHR_API_KEY' },
  hibob: { serviceUser: 'EMULATOR_HIBOB_SERVICE_USER', token: 'EMULATOR_HIBOB_TOKEN' },
  personio: { clientId: 'EMULATOR_PERSONIO_CLIENT_ID', clientSecret: 'EMULATOR_PERSONIO_CLIENT_SECRET' },
  '15five-scim': { token: 'EMULATOR_15FIVE_SCIM_TOKEN' },
};

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: serve.js <${EMULATOR_KINDS.join('|')}> [--port N] [--faults JSON]\n`);
  process.exit(2);
}

function credentialsFor(kind: EmulatorKind, env: NodeJS.ProcessEnv): { credentials: Record<string, string>; source: string } {
  const credentials: Record<string, string> = {};
  const fromEnv: string[] = [];
  for (const [name, variable] of Object.entries(CREDENTIAL_ENV[kind])) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      credentials[name] = value;
      fromEnv.push(variable);
    } else {
      credentials[name] = DEFAULT_CREDENTIALS[kind][name] ?? '';
    }
  }
  const source = fromEnv.length > 0 ? `env ${fromEnv.join(', ')}` : 'defaults (test/emulators/README.md)';
  return { credentials, source };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { port: { type: 'string' }, faults: { type: 'string' } } });
  } catch (err) {
    fail((err as Error).message);
  }
  const kind = parsed.positionals[0] as EmulatorKind | undefined;
  if (kind === undefined || !EMULATOR_KINDS.includes(kind) || parsed.positionals.length > 1) fail('one emulator kind is required');
  const port = parsed.values.port === undefined ? 0 : Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port: ${String(parsed.values.port)}`);
  let faults: Faults = {};
  if (parsed.values.faults !== undefined) {
    try {
      faults = JSON.parse(parsed.values.faults) as Faults;
      checkFaults(faults);
    } catch (err) {
      fail(`invalid --faults: ${(err as Error).message}`);
    }
  }
  const { credentials, source } = credentialsFor(kind, process.env);
  const emulator = await startEmulator(kind, { port, credentials, faults });
  process.stdout.write(`${kind} emulator listening on ${emulator.url} (credentials: ${source})\n`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
