/**
 * Connections of the real entry point (dist/src/main.js, as `npm start` runs it), driven with raw sockets:
 * SIGTERM takes no new request at once and lets those in flight finish (up to server.shutdownGraceSeconds);
 * server.maxConnections caps open connections; a refused request's unread body does not keep its socket.
 * No timing is asserted: each test waits for an event, and one that never comes fails by the test timeout.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, startMain as startMainProcess, type GatewayProcess } from '../support/processes.js';

const TOKEN = 'shutdown-test-token-0123456789';
const dirs: string[] = [];
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Gateway extends GatewayProcess {
  exited: Promise<number | null>;
}

async function startMain(server: string): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-shutdown-'));
  dirs.push(dir);
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `server: ${server}`,
      // Long request timeouts: a socket that closes, closes because of what is tested.
      'security: { http: { requestTimeoutSeconds: 600, headersTimeoutSeconds: 600 } }',
      'apps:',
      '  directory: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] } }',
      '',
    ].join('\n'),
  );
  const gw = await startMainProcess({ SCIM_BRIDGE_DATA_DIR: dir, SCIM_BRIDGE_CONFIG: config, SCIM_BRIDGE_TOKEN: TOKEN }, { listeningLog: 'scim-bridge listening' });
  children.push(gw.child);
  if (gw.child.exitCode !== null) throw new Error(`gateway did not start:\n${gw.output()}`);
  return { ...gw, exited: exited(gw.child) };
}

/** A raw connection: what it received so far, and whether the server has closed it. */
interface Raw {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  /** Resolves once the received text matches. */
  until(pattern: RegExp): Promise<string>;
}

function open(port: number): Promise<Raw> {
  return new Promise((resolveOpen, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    const waiters: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => undefined); // a reset is a close here
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const raw: Raw = {
      socket,
      received: () => text,
      closed,
      until: async (pattern) => {
        while (!pattern.test(text)) {
          await Promise.race([new Promise<void>((r) => waiters.push(r)), closed]);
          if (socket.destroyed && !pattern.test(text)) throw new Error(`closed before ${pattern}: ${JSON.stringify(text)}`);
        }
        return text;
      },
    };
    socket.once('connect', () => resolveOpen(raw));
    socket.once('error', reject);
  });
}

const healthz = 'GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n';
const ONE_RESPONSE = /HTTP\/1\.1 \d{3}[\s\S]*?\r\n\r\n[\s\S]*\}/;

/** The head of a POST /Users whose body (`length` bytes) the caller sends later. */
function postHead(length: number, token = TOKEN): string {
  return [
    'POST /apps/directory/scim/v2/Users HTTP/1.1',
    'Host: gw',
    `Authorization: Bearer ${token}`,
    'Content-Type: application/scim+json',
    `Content-Length: ${length}`,
    '',
    '',
  ].join('\r\n');
}

const userBody = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'in-flight@example.com' });

/**
 * A new connection is refused, or (when it raced the listener's close into the kernel's backlog) reset
 * without an answer.
 */
async function expectNotServed(port: number): Promise<void> {
  const raw = await open(port).catch((error: unknown) => error);
  if (raw instanceof Error) {
    expect(raw.message).toMatch(/ECONNREFUSED/);
    return;
  }
  const late = raw as Raw;
  late.socket.write(healthz);
  await late.closed;
  expect(late.received()).toBe('');
}

/** A request that has surely reached the handler: another connection's round trip comes after it. */
async function settle(port: number): Promise<void> {
  const probe = await open(port);
  probe.socket.write(healthz);
  await probe.until(ONE_RESPONSE);
  probe.socket.destroy();
}

describe('SIGTERM', () => {
  it('closes idle connections and the listener at once, finishes the request in flight with Connection: close, exits 0', async () => {
    const gw = await startMain('{ shutdownGraceSeconds: 600 }');
    const idle = await open(gw.port);
    idle.socket.write(healthz);
    await idle.until(ONE_RESPONSE);

    const inFlight = await open(gw.port);
    inFlight.socket.write(postHead(userBody.length) + userBody.slice(0, 10));
    const headersPending = await open(gw.port);
    headersPending.socket.write('GET /healthz HTTP/1.1\r\nHost: gw\r\n');
    await settle(gw.port);

    gw.child.kill('SIGTERM');
    await idle.closed;
    await expectNotServed(gw.port);

    // A request whose headers complete now is not taken: 503 (Entra retries), and the connection ends.
    headersPending.socket.write('\r\n');
    const refused = await headersPending.until(ONE_RESPONSE);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nRetry-After: \d+\r\n/i);
    expect(refused).toMatch(/\r\nConnection: close\r\n/i);
    await headersPending.closed;

    inFlight.socket.write(userBody.slice(10));
    const answer = await inFlight.until(ONE_RESPONSE);
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    await inFlight.closed;
    expect(await gw.exited).toBe(0);
  });

  it('cuts what is still in flight when the grace period ends, then exits 0', async () => {
    const gw = await startMain('{ shutdownGraceSeconds: 1 }');
    const stuck = await open(gw.port);
    stuck.socket.write(postHead(1000) + '{');
    await settle(gw.port);
    gw.child.kill('SIGTERM');
    await stuck.closed;
    expect(await gw.exited).toBe(0);
    expect(gw.output()).toContain('"msg":"stopping"');
  });
});

describe('server.maxConnections', () => {
  it('closes connections past the cap as they arrive, logs it, and takes new ones once others have gone', async () => {
    const gw = await startMain('{ maxConnections: 3 }');
    const open3 = await Promise.all([open(gw.port), open(gw.port), open(gw.port)]);
    for (const c of open3) {
      c.socket.write(healthz);
      await c.until(ONE_RESPONSE);
    }
    const extra = await open(gw.port);
    extra.socket.write(healthz);
    await extra.closed;
    expect(extra.received()).toBe('');

    open3[0]!.socket.destroy();
    await open3[0]!.closed;
    // The server learns of the close on its own schedule: retry until a fourth connection is served.
    for (;;) {
      const next = await open(gw.port);
      next.socket.write(healthz);
      const served = await next.until(ONE_RESPONSE).catch(() => undefined);
      if (served) {
        expect(served).toMatch(/^HTTP\/1\.1 200 /);
        break;
      }
    }
    // The child's log reaches us through a pipe, on its own schedule.
    while (!gw.output().includes('connections refused: server.maxConnections reached')) await new Promise((r) => setTimeout(r, 50));
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
  });
});

describe('a body the gateway will not read', () => {
  it('an unauthenticated slow body gets its 401 and its socket is released right away', async () => {
    const gw = await startMain('{}');
    const slow = await open(gw.port);
    slow.socket.write(postHead(1_000_000, 'wrong-token-0123456789abcdef') + '{"userName":');
    const answer = await slow.until(ONE_RESPONSE);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    // More body is on its way; the gateway does not wait for it (the request timeout is 600 s).
    slow.socket.write('"x'.padEnd(1000, 'x'));
    await slow.closed;
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
  });

  it('a request whose body was read keeps its keep-alive connection', async () => {
    const gw = await startMain('{}');
    const kept = await open(gw.port);
    kept.socket.write(postHead(userBody.length) + userBody);
    const first = await kept.until(ONE_RESPONSE);
    expect(first).toMatch(/^HTTP\/1\.1 201 /);
    expect(first).not.toMatch(/\r\nConnection: close\r\n/i);
    kept.socket.write(healthz);
    await kept.until(/HTTP\/1\.1 201[\s\S]*HTTP\/1\.1 200 /);
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
  });
});
