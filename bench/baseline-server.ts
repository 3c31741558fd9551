/**
 * The baseline for `npm run bench`: a bare express 5 app with the gateway's four benchmarked routes doing
 * the least work that still parses what a SCIM server must parse. The gateway's ratio against it is the
 * cost of everything scim-bridge adds (auth, dialect, validation, store, logging), measured on the same
 * machine in the same run. Started by bench/core.ts as a child process; reads PORT, binds like the gateway.
 */
import { createServer } from 'node:http';
import express, { type Response } from 'express';

const BASE = '/apps/directory/scim/v2';
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

const FIXED_USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'user00001@example.com',
  name: { givenName: 'Given1', familyName: 'Family1' },
  emails: [{ value: 'user00001@example.com', type: 'work', primary: true }],
  active: true,
  meta: { resourceType: 'User', version: 'W/"1"' },
};

const FIXED_LIST = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: 1,
  startIndex: 1,
  itemsPerPage: 1,
  Resources: [FIXED_USER],
};

// Serialised per response, as the gateway does, so the baseline is not flattered by a cached buffer.
function send(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}

const app = express();
// The gateway's settings: no body-hash ETag, no X-Powered-By, the simple query parser.
app.set('etag', false);
app.set('x-powered-by', false);
app.set('query parser', 'simple');

const jsonBody = express.json({ type: ['application/scim+json', 'application/json'], limit: 1_048_576, strict: true });

app.get(`${BASE}/Users`, (_req, res) => send(res, 200, FIXED_LIST));
app.get(`${BASE}/Users/:id`, (_req, res) => send(res, 200, FIXED_USER));
app.post(`${BASE}/Users`, jsonBody, (req, res) => send(res, 201, req.body));
app.patch(`${BASE}/Users/:id`, jsonBody, (req, res) => send(res, 200, req.body));
app.get('/healthz', (_req, res) => send(res, 200, { status: 'ok' }));

const port = Number(process.env.PORT ?? 0);
// The same HTTP server options as src/main.ts.
const server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000, maxHeaderSize: 16 * 1024 }, app);
server.keepAliveTimeout = 65_000;
server.listen(port, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', port: bound })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
