/**
 * Reconcile runs started from the admin listener, one at a time per app, in this process: `start` begins
 * one in the background (or answers the one running), `status` tells how it goes — or, when this process
 * ran none, what the app's last checkpoint says (a CLI run on this host). The router answers
 * `GET /admin/reconcile/:app` (the status; `?start=dry-run` starts a dry run) and `POST
 * /admin/reconcile/:app` (`?mode=`, default dry-run: starts one, 202).
 *
 * The entries are personal data (userNames, field values): mount the router on the admin listener only,
 * never on the SCIM one. They carry no secret.
 */
import express from 'express';
import type { Logger } from 'pino';
import { ReconcileRefused, runReconcile, reconcilableOf, type ReconcileTarget } from './run.js';
import type { CheckpointStore } from './state.js';
import { RECONCILE_MODES, emptyCounts, type ReconcileMode, type ReconcileStatus } from './types.js';

export type { ReconcileEntry, ReconcileMode, ReconcileStatus } from './types.js';

export interface ReconcileJobs {
  /** Starts a run of the app in the background, or answers the one already running. Throws ReconcileRefused for an app that cannot be reconciled. */
  start(app: string, mode: 'dry-run' | 'adopt' | 'repair'): ReconcileStatus;
  status(app: string): ReconcileStatus | undefined;
  /** GET/POST /admin/reconcile/:app — for the admin listener only. */
  router(): express.Router;
  /** Stops running jobs after their current step (checkpoints kept) and waits for them: the gateway is closing. */
  close(): Promise<void>;
}

export interface ReconcileJobsOptions {
  targets: ReadonlyMap<string, ReconcileTarget>;
  state: CheckpointStore;
  log: Logger;
}

const isMode = (value: unknown): value is ReconcileMode => typeof value === 'string' && (RECONCILE_MODES as readonly string[]).includes(value);

/** A browser request sent by a page of another origin (the Fetch metadata header, or an Origin not this host). */
function crossSite(req: express.Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

export function createReconcileJobs(options: ReconcileJobsOptions): ReconcileJobs {
  const running = new Map<string, { status: ReconcileStatus; done: Promise<void> }>();
  const finished = new Map<string, ReconcileStatus>();
  const stop = new AbortController();

  const targetOf = (app: string): ReconcileTarget => {
    const target = options.targets.get(app);
    if (!target) throw new ReconcileRefused(`no app "${app}"`);
    reconcilableOf(target);
    return target;
  };

  const jobs: ReconcileJobs = {
    start(app, mode) {
      const current = running.get(app);
      if (current) return current.status;
      const target = targetOf(app);
      const job = {
        status: { app, mode, state: 'running', startedAt: new Date().toISOString(), progress: { seen: 0 }, counts: emptyCounts(), entries: [] } as ReconcileStatus,
        done: Promise.resolve(),
      };
      running.set(app, job);
      job.done = runReconcile(target, {
        mode,
        state: options.state,
        log: options.log.child({ app, reconcile: mode }),
        signal: stop.signal,
        onProgress: (status) => {
          job.status = status;
        },
      })
        .then((status) => {
          finished.set(app, status);
        })
        .catch((error: unknown) => {
          const message = error instanceof ReconcileRefused ? error.message : 'internal error (see the log)';
          if (!(error instanceof ReconcileRefused)) options.log.error({ app, err: error }, 'reconcile job failed');
          finished.set(app, { ...job.status, state: 'failed', finishedAt: new Date().toISOString(), error: message });
        })
        .finally(() => running.delete(app));
      return job.status;
    },
    status(app) {
      const live = running.get(app)?.status ?? finished.get(app);
      if (live) return live;
      if (!options.targets.has(app)) return undefined;
      return options.state.load(app)?.status;
    },
    router() {
      const router = express.Router();
      const begin = (res: express.Response, app: string, mode: unknown) => {
        if (!isMode(mode)) return void res.status(400).json({ error: `mode must be one of ${RECONCILE_MODES.join(', ')}` });
        try {
          res.status(202).json(jobs.start(app, mode));
        } catch (error) {
          if (!(error instanceof ReconcileRefused)) throw error;
          res.status(options.targets.has(app) ? 409 : 404).json({ error: error.message });
        }
      };
      router.get('/admin/reconcile/:app', (req, res) => {
        const app = req.params.app;
        if (typeof req.query.start === 'string') {
          // A link can be followed by anyone's browser: a GET starts only a run that changes nothing in the app.
          if (req.query.start !== 'dry-run') return void res.status(405).json({ error: 'adopt and repair are started with POST' });
          return begin(res, app, req.query.start);
        }
        const status = jobs.status(app);
        if (status) return void res.json(status);
        res.status(404).json({ error: options.targets.has(app) ? `no reconcile of "${app}" has run yet` : `no app "${app}"` });
      });
      router.post('/admin/reconcile/:app', (req, res) => {
        // The admin listener asks no credential: a page of another site open in a browser on this host must
        // not be able to post here (a form's POST is a "simple" cross-origin request that needs no preflight).
        if (crossSite(req)) return void res.status(403).json({ error: 'refused: a cross-site request' });
        begin(res, req.params.app, req.query.mode ?? 'dry-run');
      });
      return router;
    },
    async close() {
      stop.abort();
      await Promise.all([...running.values()].map((job) => job.done));
    },
  };
  return jobs;
}
