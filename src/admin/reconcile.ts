/**
 * What the admin listener needs of the reconcile jobs (src/reconcile/jobs.ts, ReconcileJobs): their
 * router (GET/POST /admin/reconcile/:app) and each app's last status, shown on the page. Declared here
 * by shape, so the admin page builds with or without the reconcile engine.
 */
import type { Router } from 'express';

export interface ReconcileEntryView {
  kind: 'equal' | 'differs' | 'native-only' | 'gateway-only';
  userName?: string;
  id?: string;
  nativeId?: string;
  fields?: { path: string; native: unknown; gateway: unknown }[];
  adoptable?: boolean;
  reason?: string;
}

export interface ReconcileStatusView {
  app: string;
  mode: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  progress: { seen: number; total?: number };
  counts: { equal: number; differs: number; nativeOnly: number; gatewayOnly: number };
  entries: ReconcileEntryView[];
  error?: string;
}

export interface ReconcileSource {
  status(app: string): ReconcileStatusView | undefined;
  router(): Router;
}
