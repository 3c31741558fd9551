/**
 * The native budget holds where the API counts: at arrival. A client that counts its starts alone lets a
 * call that left early and arrived late share a window with the calls started one window after it — the
 * API then counts one too many (bench:sync saw a few 429s this way on a loaded machine). Here a real
 * loopback proxy holds the first request of the first connection for a while before passing it on to the
 * 15Five emulator, which enforces the same budget; the emulator's own record of arrivals is the judge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { startEmulator, type Emulator } from '../../emulators/index.js';
import { busiestWindow } from '../../budgets/support.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { settingsFor } from './support.js';

const BUDGET = 5; // requests per second, the API's and the client's alike
const HOLD_MS = 300;

describe('native budget against an API that counts arrivals', () => {
  let emulator: Emulator;
  let proxy: TcpProxy;
  beforeAll(async () => {
    emulator = await startEmulator('15five', { faults: { rateLimit: { requestsPerSecond: BUDGET } } });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(emulator.url).port) }, { holdFirstConnectionMs: HOLD_MS });
  });
  afterAll(async () => {
    await proxy.close();
    await emulator.close();
  });

  it('a call held on its way still counts: the API never sees more than the budget in any second', async () => {
    const base = `http://127.0.0.1:${proxy.port}${new URL(emulator.url).pathname}`;
    const auth = { type: 'header' as const, header: 'Authorization', prefix: 'Bearer ', value: emulator.credentials.apiKey! };
    // No retries: a 429 must show as a 429, not be hidden by a second try.
    const client = createNativeClient(
      settingsFor(base, { auth, rateLimit: { requestsPerSecond: BUDGET, concurrency: BUDGET }, retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 } }),
    );
    const n = 3 * BUDGET;
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) => client.request({ method: 'GET', path: '/user/', query: { email: `u${i}@example.com` }, idempotent: true, operation: 'users.search' })),
    );
    await client.close();

    const arrivals = emulator.requests().map((r) => r.at);
    expect(arrivals).toHaveLength(n);
    // The hold really moved one arrival late (else this test would prove nothing about arrivals).
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThan(HOLD_MS);
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: n }, () => 200));
    // Stricter than the emulator's fixed windows: no window of one second, wherever it starts.
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(BUDGET);
  });
});
