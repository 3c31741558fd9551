/**
 * The admin listener's express app: GET /metrics (Prometheus), GET /admin (the page), GET /admin/audit
 * (a user's timeline as JSON) and, when the reconcile jobs are given, their routes. It is served on its
 * own address (admin.listen, loopback by default), never on the SCIM port, and asks no credential:
 * whoever reaches that address is the operator.
 */
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { readTimeline, TimelineQueryError, type Timeline } from '../audit/timeline.js';
import type { GatewayMetrics } from '../metrics/registry.js';
import { packageVersion } from '../package-info.js';
import { StoreError, type Store } from '../store/types.js';
import { renderAdminPage, type AdminAppView } from './page.js';
import type { ReconcileSource } from './reconcile.js';

export interface AdminOptions {
  apps: readonly AdminAppView[];
  store: Store;
  metrics?: GatewayMetrics;
  reconcile?: ReconcileSource;
  log: Logger;
}

/** A query parameter given once, as text; anything else is treated as absent. */
function param(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function buildAdminApp(options: AdminOptions): express.Express {
  const app = express();
  app.set('x-powered-by', false);
  app.set('query parser', 'simple');
  const known = new Set(options.apps.map((a) => a.name));

  /** The timeline a request asks for, or the reason it cannot be given (400). */
  async function timelineOf(req: Request): Promise<Timeline | { error: string }> {
    const appName = param(req, 'app');
    if (appName === undefined || !known.has(appName)) return { error: `app: give one of ${[...known].join(', ')}` };
    const user = param(req, 'user');
    const resource = param(req, 'resource');
    const since = param(req, 'since');
    try {
      return await readTimeline(options.store, { app: appName, ...(user ? { user } : {}), ...(resource ? { resource } : {}), ...(since ? { since } : {}) });
    } catch (error) {
      if (error instanceof TimelineQueryError) return { error: error.message };
      throw error;
    }
  }

  if (options.metrics) {
    const metrics = options.metrics;
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.exposition();
      res.type(contentType).send(body);
    });
  }

  app.get('/admin/audit', async (req, res) => {
    const timeline = await timelineOf(req);
    if ('error' in timeline) res.status(400).json({ status: 400, detail: timeline.error });
    else res.json(timeline);
  });

  app.get(['/admin', '/admin/'], async (req: Request, res: Response) => {
    const search = { app: param(req, 'app'), user: param(req, 'user'), since: param(req, 'since') };
    const asked = search.user !== undefined;
    const timeline = asked ? await timelineOf(req) : undefined;
    const page = renderAdminPage({
      version: packageVersion(),
      metrics: options.metrics !== undefined,
      apps: options.apps.map((a) => {
        const activity = options.metrics?.recent.summary(a.name);
        const reconcile = options.reconcile?.status(a.name);
        return { ...a, ...(activity ? { activity } : {}), ...(reconcile ? { reconcile } : {}) };
      }),
      search: Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined)),
      ...(timeline && !('error' in timeline) ? { timeline } : {}),
      ...(timeline && 'error' in timeline ? { error: timeline.error } : {}),
    });
    res.status(timeline && 'error' in timeline ? 400 : 200).type('html').send(page);
  });

  if (options.reconcile) app.use(options.reconcile.router());

  app.use((_req, res) => {
    res.status(404).json({ status: 404, detail: 'Not found: /metrics, /admin, /admin/audit' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    if (error instanceof StoreError && error.code === 'unavailable') {
      res.status(503).json({ status: 503, detail: 'The store does not answer now; try again' });
      return;
    }
    options.log.error({ err: error }, 'admin request failed');
    res.status(500).json({ status: 500, detail: 'Internal error' });
  });
  return app;
}
