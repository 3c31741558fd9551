/**
 * The HTTP server every emulator runs on (node:http, so a dropped connection is a real destroyed socket).
 * It reads and records each request, applies latency, rate limit and faults, and hands the rest to the
 * API module; the API module knows nothing of faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultController } from './faults.js';
import type { EmulatorRequest, NativeApi, RecordedRequest, Reply, RequestBody } from './types.js';

/** Larger bodies are refused with 413: no HR record comes near it. */
const MAX_BODY_BYTES = 1_000_000;
const SAFE_HOST = /^[A-Za-z0-9.:[\]-]{1,300}$/;

export interface ServerHandle {
  /** e.g. http://127.0.0.1:4015 */
  origin: string;
  requests(): RecordedRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else {
        req.off('data', onData);
        reject(new BodyTooLarge());
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function classifyBody(contentType: string, text: string): RequestBody {
  if (text.length === 0) return { kind: 'none' };
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return { kind: 'other', contentType, text };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid-json', text };
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // Credentials never reach the records a test (or its failure output) prints.
    if (name === 'authorization' || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return query;
}

export async function serveApi(api: NativeApi, faults: FaultController, port = 0): Promise<ServerHandle> {
  let recorded: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let listeningOrigin = '';

  // Timers are tracked so close() can cancel a pending 'slow' answer instead of waiting for it.
  const wait = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((done) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            done();
          }, ms);
          timers.add(timer);
        });

  const send = (res: ServerResponse, record: RecordedRequest | undefined, reply: Reply): void => {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string> = { ...reply.headers };
    let payload = '';
    if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] = 'application/json';
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    if (record) record.status = reply.status;
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const handleApi = (req: EmulatorRequest, res: ServerResponse, record: RecordedRequest): Reply | undefined => {
    try {
      return api.handle(req);
    } catch {
      // An emulator bug must surface as a plain 500, never as a hung request.
      send(res, record, api.error(500, 'Emulator error'));
      return undefined;
    }
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) return send(res, undefined, api.error(400, 'Bad request target'));
    const url = new URL(`http://emulator${rawUrl}`);
    let text: string;
    try {
      text = await readText(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // The rest of the body is never read, so this connection cannot carry another request.
        const reply = api.error(413, 'Request body too large');
        return send(res, undefined, { ...reply, headers: { ...reply.headers, connection: 'close' } });
      }
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    const body = classifyBody(contentType, text);
    const host = req.headers.host;
    const request: EmulatorRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: queryOf(url),
      headers: req.headers,
      body,
      origin: host !== undefined && SAFE_HOST.test(host) ? `http://${host}` : listeningOrigin,
    };
    const record: RecordedRequest = {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: flattenHeaders(req),
      body: body.kind === 'json' ? body.value : body.kind === 'none' ? undefined : body.text,
      status: 0,
      // Taken right where faults.decide() counts the request against the rate limit.
      at: faults.clock(),
    };
    recorded.push(record);

    const decision = faults.decide();
    await wait(faults.latencyMs);
    if (decision.kind === 'rate-limited') {
      return send(res, record, api.error(429, 'Rate limit exceeded', decision.retryAfterSeconds));
    }
    if (decision.kind === 'pass') {
      const reply = handleApi(request, res, record);
      return reply === undefined ? undefined : send(res, record, reply);
    }
    const mode = decision.mode;
    const processed = faults.processesBeforeFailing(mode) ? handleApi(request, res, record) : undefined;
    switch (mode) {
      case '429':
      case '503':
        return send(res, record, api.error(Number(mode), 'Service unavailable', faults.retryAfterSeconds));
      case '500':
        return send(res, record, api.error(500, 'Internal server error'));
      case 'drop':
        req.socket.destroy();
        return;
      case 'slow':
        await wait(faults.slowMs);
        // Unprocessed, there is no real answer to give late: a gateway timeout stands in for it.
        return send(res, record, processed ?? api.error(504, 'Gateway timeout'));
    }
  };

  const server = createServer((req, res) => {
    // Whatever goes wrong with one request ends that connection, never the process.
    onRequest(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  listeningOrigin = `http://127.0.0.1:${address.port}`;

  return {
    origin: listeningOrigin,
    requests: () => structuredClone(recorded),
    clearRequests: () => {
      recorded = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
