/**
 * What the admin listener needs of the reconcile jobs (src/reconcile/jobs.ts): their router
 * (GET/POST /admin/reconcile/:app) and each app's last status, shown on the page.
 */
import type { ReconcileJobs } from '../reconcile/jobs.js';

export type { ReconcileStatus as ReconcileStatusView } from '../reconcile/types.js';

export type ReconcileSource = Pick<ReconcileJobs, 'status' | 'router'>;
