/**
 * An Entra-style provisioning client for fault tests: it retries what failed, as Entra's provisioning
 * service does across cycles, and provisions a user the way Entra does — look up by userName, create when
 * missing (a 409 means look again), then PATCH the title and, for every third user, deactivate.
 */
import { expect } from 'vitest';
import { ENTERPRISE, patchOp, read, USER_SCHEMA } from '../support/gateway.js';

type Call = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
type Answer = Awaited<ReturnType<typeof read>>;

export interface EntraClientOptions {
  call: Call;
  /** Every status seen (0 for a broken connection), for the test to inspect. */
  outcomes: number[];
  maxAttempts: number;
  /** A replica killed under a request breaks its connection: retry elsewhere instead of failing. */
  retryBrokenConnections?: boolean;
  /** Pause after a refusal, and after a 409 (another create of the same user in flight). */
  pauseMs?: number;
  conflictPauseMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function entraClient(options: EntraClientOptions) {
  const { call, outcomes, maxAttempts } = options;

  /** Retries until the call answers one of `ok`; never a 500 from the gateway itself. */
  async function untilOk(send: () => Promise<Response>, ok: number[]): Promise<Answer> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      let res: Answer;
      try {
        res = await read(await send());
      } catch (error) {
        if (!options.retryBrokenConnections) throw error;
        outcomes.push(0);
        await pause(50);
        continue;
      }
      outcomes.push(res.status);
      if (ok.includes(res.status)) return res;
      // Downstream trouble is 429/502/503/504; a create racing another is 409.
      expect([409, 429, 502, 503, 504], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 429 || res.status === 503) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      await pause(res.status === 409 ? (options.conflictPauseMs ?? 5) : (options.pauseMs ?? 5));
    }
    throw new Error('gave up');
  }

  /** User `i` as `userName`: given/family names, work email, employee number, title, active as i says. */
  async function provision(i: number, userName: string): Promise<void> {
    const filter = `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
    let id: string | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !id; attempt += 1) {
      const found = await untilOk(() => call(filter), [200]);
      if (found.body.totalResults === 1) {
        id = found.body.Resources[0].id;
        break;
      }
      const created = await untilOk(
        () =>
          call('/Users', {
            method: 'POST',
            json: {
              schemas: [USER_SCHEMA, ENTERPRISE],
              userName,
              name: { givenName: `Given${i}`, familyName: `Family${i}` },
              emails: [{ value: userName, type: 'work', primary: true }],
              [ENTERPRISE]: { employeeNumber: `N${i}` },
            },
          }),
        [201, 409],
      );
      if (created.status === 201) id = created.body.id;
    }
    expect(id).toBeDefined();
    await untilOk(() => call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'title', value: `Title ${i}` }) }), [200]);
    if (i % 3 === 0) {
      await untilOk(() => call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'active', value: 'False' }) }), [200]);
    }
  }

  return { untilOk, provision };
}
