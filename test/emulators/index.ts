/**
 * Emulators of the native APIs the bundled plugins target (docs/native-apis.md): real HTTP servers on
 * 127.0.0.1 with records in memory, the documented shapes, auth, paging and errors, and switchable faults.
 */
import { createBambooHr, BAMBOOHR_BASE_PATH } from './bamboohr.js';
import { FaultController } from './faults.js';
import { createFifteenFive, FIFTEEN_FIVE_BASE_PATH } from './fifteen-five.js';
import { createFifteenFiveScim, FIFTEEN_FIVE_SCIM_BASE_PATH } from './fifteen-five-scim.js';
import { createHiBob } from './hibob.js';
import { createPersonio, PERSONIO_BASE_PATH } from './personio.js';
import { serveApi } from './server.js';
import type { Emulator, EmulatorKind, NativeApi, StartOptions } from './types.js';

export type { Emulator, EmulatorKind, Faults, FaultMode, RecordedRequest, StartOptions } from './types.js';

export const EMULATOR_KINDS: readonly EmulatorKind[] = ['15five', 'bamboohr', 'hibob', 'personio', '15five-scim'];

/** Used when no credentials are given (documented in test/emulators/README.md). */
export const DEFAULT_CREDENTIALS: Readonly<Record<EmulatorKind, Readonly<Record<string, string>>>> = {
  '15five': { apiKey: 'emulator-15five-key' },
  bamboohr: { apiKey: 'emulator-bamboohr-key' },
  hibob: { serviceUser: 'SERVICE-EMULATOR', token: 'emulator-hibob-token' },
  personio: { clientId: 'emulator-personio-client', clientSecret: 'emulator-personio-secret' },
  '15five-scim': { token: 'emulator-15five-scim-key-30char' },
};

function required(kind: EmulatorKind, credentials: Record<string, string>, name: string): string {
  const value = credentials[name];
  if (typeof value !== 'string' || value === '') throw new TypeError(`${kind} emulator: credentials.${name} is required`);
  return value;
}

function buildApi(kind: EmulatorKind, credentials: Record<string, string>, clock: () => number): { api: NativeApi; basePath: string } {
  switch (kind) {
    case '15five':
      return { api: createFifteenFive({ apiKey: required(kind, credentials, 'apiKey'), clock }), basePath: FIFTEEN_FIVE_BASE_PATH };
    case 'bamboohr':
      return { api: createBambooHr({ apiKey: required(kind, credentials, 'apiKey') }), basePath: BAMBOOHR_BASE_PATH };
    case 'hibob':
      return {
        api: createHiBob({ serviceUser: required(kind, credentials, 'serviceUser'), token: required(kind, credentials, 'token') }),
        basePath: '',
      };
    case '15five-scim':
      return { api: createFifteenFiveScim({ token: required(kind, credentials, 'token'), clock }), basePath: FIFTEEN_FIVE_SCIM_BASE_PATH };
    case 'personio':
      return {
        api: createPersonio({ clientId: required(kind, credentials, 'clientId'), clientSecret: required(kind, credentials, 'clientSecret'), clock }),
        basePath: PERSONIO_BASE_PATH,
      };
  }
}

export async function startEmulator(kind: EmulatorKind, options: StartOptions = {}): Promise<Emulator> {
  if (!EMULATOR_KINDS.includes(kind)) throw new TypeError(`unknown emulator kind: ${String(kind)}`);
  const credentials = { ...(options.credentials ?? DEFAULT_CREDENTIALS[kind]) };
  const clock = options.clock ?? Date.now;
  const { api, basePath } = buildApi(kind, credentials, clock);
  const startupFaults = structuredClone(options.faults ?? {});
  const faults = new FaultController(clock);
  faults.set(startupFaults);
  const server = await serveApi(api, faults, options.port ?? 0);

  return {
    kind,
    url: `${server.origin}${basePath}`,
    credentials,
    setFaults: (f) => faults.set(f),
    users: () => api.users(),
    groups: () => api.groups(),
    requests: () => server.requests(),
    seedUser: (fields) => api.seedUser(fields),
    seedGroup: (fields) => {
      if (!api.seedGroup) throw new TypeError(`the ${kind} emulator has no groups`);
      return api.seedGroup(fields);
    },
    revokeTokens: () => api.revokeTokens?.(),
    reset() {
      api.reset();
      server.clearRequests();
      faults.set(startupFaults);
    },
    close: () => server.close(),
  };
}
