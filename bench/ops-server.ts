/**
 * The gateway for `npm run bench:ops`, one of three ways (OPS_VARIANT): `off` — no metrics and no audit
 * rows; `metrics` — Prometheus metrics on, audit rows off; `full` — as `npm start` runs it (metrics and
 * audit rows). Audit rows are left out by a store wrapper made here, for the measurement only: the
 * gateway itself has no switch to stop auditing. The default configuration's `directory` app, a fresh
 * SQLite file (SCIM_BRIDGE_DATA_DIR), PORT from the parent.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createHttpServer } from '../src/http/connections.js';
import { createLogger } from '../src/http/logging.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { wrapWith } from '../src/store/wrap.js';

const variant = process.env.OPS_VARIANT ?? 'full';
if (!['off', 'metrics', 'full'].includes(variant)) throw new Error(`OPS_VARIANT must be off, metrics or full, not ${variant}`);

function withoutAudit(store: Store): Store {
  return wrapWith(store, {
    appendAudit: async () => {},
    create: (app, type, input, options) => store.create(app, type, input, { ...options, audit: undefined }),
    replace: (app, type, id, input, options) => store.replace(app, type, id, input, { ...options, audit: undefined }),
    delete: (app, type, id, options) => store.delete(app, type, id, { ...options, audit: undefined }),
  });
}

const env = process.env;
const dataDir = resolve(env.SCIM_BRIDGE_DATA_DIR ?? 'data/bench-ops');
const loaded = loadConfig(fileURLToPath(new URL('../../config/gateway.yaml', import.meta.url)), { dataDir, env });
// The per-app request limit (200/s by default) would answer 429s and measure the limiter, not the gateway.
const config = {
  ...loaded,
  admin: { ...loaded.admin, metrics: variant !== 'off' },
  security: { ...loaded.security, appRateLimit: { ...loaded.security.appRateLimit, requestsPerSecond: 1_000_000, burst: 1_000_000 } },
};
const log = createLogger({ level: env.BENCH_LOG_LEVEL ?? 'info' });
const opened = await openStore(config.store);
const gateway = await createGateway(config, { env, log, store: variant === 'full' ? opened : withoutAudit(opened) });
const server = createHttpServer(gateway.handler, config.security.http, { maxConnections: config.server.maxConnections }, log);
server.listen(Number(env.PORT), '127.0.0.1');
