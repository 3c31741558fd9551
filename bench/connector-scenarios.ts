/**
 * The calls `npm run bench:connector` measures, each as a pair: the SCIM request through the gateway and
 * the native request(s) the 15five plugin turns it into, sent straight to the emulator. The native
 * bodies are what the plugin sends for the same SCIM body (checked at start by comparing the native
 * records both sides create: see connector-verify.ts).
 */
import type autocannon from 'autocannon';
import { replaceTitleBody, userBody, type Scenario, type Target } from './scenarios.js';

export const GATEWAY_BASE_PATH = '/apps/15five/scim/v2';
export const NATIVE_BASE_PATH = '/api/public';

/** One side of a pair; its scenario's callsPerOperation > 1 when one operation is several native requests in turn. */
export interface Side {
  label: string;
  scenario: Scenario;
}

export interface ConnectorScenario {
  name: string;
  /** What the reader must know to read the row, printed under the table. */
  note?: string;
  direct: Side;
  gateway: Side;
  /** A second native baseline measured in the same run (create: the search the gateway makes first). */
  alsoDirect?: Side;
  /**
   * The load adds emulator users, and the emulator scans all of them on every create and email search:
   * the sides are measured in alternating rounds so none of them sees a larger emulator than the others.
   */
  growsEmulator?: boolean;
}

/** The 15Five user the plugin makes of userBody(userName, index): email, names and employee id. */
export function nativeUserBody(email: string, index: number): Record<string, unknown> {
  return {
    email,
    first_name: `Given${index}`,
    last_name: `Family${index}`,
    employee_id: String(100_000 + index),
    is_active: true,
  };
}

/** 15Five creates users in bulk (there is no POST /user/): the plugin sends a list of one. */
export const NATIVE_CREATE_PATH = `${NATIVE_BASE_PATH}/user/bulk/`;
export const nativeCreateBody = (email: string, index: number): unknown[] => [nativeUserBody(email, index)];

// Process-wide: warm-up and measured runs, direct and gateway, never reuse an email or a title.
const counters = { created: 0, titled: 0 };
const nextTitle = () => `Title ${(counters.titled += 1)}`;
const newEmail = (t: Target, side: string) => `new-${t.runTag}-${side}-${(counters.created += 1)}@example.com`;

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('bench:connector: nothing to pick from');
  return item;
}

const nativeSearchPath = (email: string) => `${NATIVE_BASE_PATH}/user/?email=${encodeURIComponent(email)}`;

const scenario = (name: string, requests: (t: Target) => autocannon.Request[], callsPerOperation = 1): Scenario => ({ name, requests, callsPerOperation });

/** GET ?email= for a new address (a miss, as on every create), then the bulk POST of that address: per client, in turn. */
function searchThenCreate(t: Target): autocannon.Request[] {
  return [
    {
      method: 'GET',
      setupRequest: (req, context) => {
        const email = newEmail(t, 'pair');
        (context as { email?: string }).email = email;
        req.path = nativeSearchPath(email);
        return req;
      },
    },
    {
      method: 'POST',
      path: NATIVE_CREATE_PATH,
      setupRequest: (req, context) => {
        const email = (context as { email?: string }).email ?? newEmail(t, 'pair');
        req.body = JSON.stringify(nativeCreateBody(email, counters.created));
        return req;
      },
    },
  ];
}

export const CONNECTOR_SCENARIOS: readonly ConnectorScenario[] = [
  {
    name: 'filter userName eq (hit)',
    note:
      'the gateway answers a filter that finds the user from its own store and makes no native call, so on a hit it is expected ' +
      'to be cheaper than a native search against a real 15Five; the in-memory emulator answers its search in well under a millisecond',
    direct: {
      label: 'GET /user/?email=',
      scenario: scenario('native filter', (t) => [
        { method: 'GET', setupRequest: (req) => ({ ...req, path: nativeSearchPath(pick(t.userNames)) }) },
      ]),
    },
    gateway: {
      label: 'GET /Users?filter=',
      scenario: scenario('SCIM filter', (t) => [
        {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: `${GATEWAY_BASE_PATH}/Users?filter=${encodeURIComponent(`userName eq "${pick(t.userNames)}"`)}` }),
        },
      ]),
    },
  },
  {
    name: 'PATCH replace title',
    note: 'a new title every request, so every PATCH changes something and the gateway sends one native PUT {"title"}',
    direct: {
      label: 'PUT /user/{id}/',
      scenario: scenario('native PUT', (t) => [
        {
          method: 'PUT',
          setupRequest: (req) => ({ ...req, path: `${NATIVE_BASE_PATH}/user/${encodeURIComponent(pick(t.ids))}/`, body: JSON.stringify({ title: nextTitle() }) }),
        },
      ]),
    },
    gateway: {
      label: 'PATCH /Users/{id}',
      scenario: scenario('SCIM PATCH', (t) => [
        {
          method: 'PATCH',
          setupRequest: (req) => ({ ...req, path: `${GATEWAY_BASE_PATH}/Users/${encodeURIComponent(pick(t.ids))}`, body: JSON.stringify(replaceTitleBody(nextTitle())) }),
        },
      ]),
    },
  },
  {
    // Last: it adds users, and the filter above runs on exactly the preloaded set.
    name: 'POST create',
    note:
      'the gateway searches 15Five by email before every create (a native user that exists is adopted, not duplicated), ' +
      'so one SCIM create is two native calls; "GET ?email= + POST /user/bulk/" is that pair sent straight, timed as one operation. ' +
      'Measured in alternating rounds (the emulator scans all users on create and search, and every request adds one)',
    direct: {
      label: 'POST /user/bulk/',
      scenario: scenario('native POST', (t) => [
        {
          method: 'POST',
          path: NATIVE_CREATE_PATH,
          setupRequest: (req) => ({ ...req, body: JSON.stringify(nativeCreateBody(newEmail(t, 'direct'), counters.created)) }),
        },
      ]),
    },
    alsoDirect: { label: 'GET ?email= + POST /user/bulk/', scenario: scenario('native search+POST', searchThenCreate, 2) },
    growsEmulator: true,
    gateway: {
      label: 'POST /Users',
      scenario: scenario('SCIM POST', (t) => [
        {
          method: 'POST',
          path: `${GATEWAY_BASE_PATH}/Users`,
          setupRequest: (req) => ({ ...req, body: JSON.stringify(userBody(newEmail(t, 'scim'), counters.created)) }),
        },
      ]),
    },
  },
];
