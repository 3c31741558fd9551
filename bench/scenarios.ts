/**
 * The four benchmarked SCIM calls, the ones Entra makes on every provisioning cycle: find a user by
 * userName, read one, create one, replace an attribute. Each scenario builds autocannon requests that vary
 * per request (another user, a new userName, another title) so no cache or index sees the same key twice
 * in a row; baseline and gateway get the same URL shapes and bodies.
 */
import type autocannon from 'autocannon';

export const SCIM_BASE_PATH = '/apps/directory/scim/v2';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface Target {
  /** Headers sent with every request (Authorization, Content-Type, Accept). */
  headers: Record<string, string>;
  /** userNames that exist on the server (any names for the baseline). */
  userNames: readonly string[];
  /** ids that exist on the server (any ids for the baseline). */
  ids: readonly string[];
  /** Makes the userNames of created users unique across runs against the same store. */
  runTag: string;
}

export interface Scenario {
  name: string;
  /** The lowest acceptable gateway/baseline throughput ratio, when the project sets one. */
  target?: number;
  /**
   * The lowest acceptable throughput of the gateway on PostgreSQL ÷ on SQLite (`--store postgres`), when
   * the project sets one (issue 7: on a 2-core box where the database shares the cores).
   */
  postgresTarget?: number;
  /**
   * How many of the requests in turn make one operation (default 1). With more, exact timings
   * (LoadSettings.timings) are summed per connection over that many responses.
   */
  callsPerOperation?: number;
  requests(target: Target): autocannon.Request[];
}

export function preloadUserName(index: number): string {
  return `user${String(index + 1).padStart(5, '0')}@example.com`;
}

/** A full user as Entra sends it: name, work email, enterprise employeeNumber. */
export function userBody(userName: string, index: number): Record<string, unknown> {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    userName,
    externalId: `ext-${index}`,
    active: true,
    displayName: `Given${index} Family${index}`,
    name: { givenName: `Given${index}`, familyName: `Family${index}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    [ENTERPRISE_USER]: { employeeNumber: String(100_000 + index) },
  };
}

// Process-wide, not per run: the warm-up and the measured run of POST must never reuse a userName.
const counters = { created: 0, patched: 0 };

/** The PATCH Entra sends when one attribute changed (capitalised op, as Entra writes it). */
export function replaceTitleBody(value: string): Record<string, unknown> {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value }] };
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('bench: nothing to pick from');
  return item;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'GET filter userName eq',
    target: 0.7,
    postgresTarget: 0.6,
    requests: (t) => [
      {
        method: 'GET',
        setupRequest: (req) => {
          req.path = `${SCIM_BASE_PATH}/Users?filter=${encodeURIComponent(`userName eq "${pick(t.userNames)}"`)}`;
          return req;
        },
      },
    ],
  },
  {
    name: 'GET /Users/{id}',
    target: 0.7,
    requests: (t) => [
      {
        method: 'GET',
        setupRequest: (req) => {
          req.path = `${SCIM_BASE_PATH}/Users/${encodeURIComponent(pick(t.ids))}`;
          return req;
        },
      },
    ],
  },
  {
    name: 'PATCH replace title',
    target: 0.45,
    requests: (t) => [
      {
        method: 'PATCH',
        setupRequest: (req) => {
          counters.patched += 1;
          req.path = `${SCIM_BASE_PATH}/Users/${encodeURIComponent(pick(t.ids))}`;
          req.body = JSON.stringify(replaceTitleBody(`Title ${counters.patched}`));
          return req;
        },
      },
    ],
  },
  {
    // Last: it adds users, and the reads above are measured on exactly the preloaded set.
    name: 'POST create',
    target: 0.5,
    postgresTarget: 0.6,
    requests: (t) => [
      {
        method: 'POST',
        path: `${SCIM_BASE_PATH}/Users`,
        setupRequest: (req) => {
          counters.created += 1;
          const userName = `new-${t.runTag}-${counters.created}@example.com`;
          req.body = JSON.stringify(userBody(userName, counters.created));
          return req;
        },
      },
    ],
  },
];
