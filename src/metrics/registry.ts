/**
 * The gateway's Prometheus metrics (prom-client), on a registry of their own (several gateways in one
 * process, as tests run them, never mix their counts). Every label value is bounded: app names from the
 * configuration ('none' before an app is known), HTTP methods, status classes, the plugins' operation
 * names, outcomes and reasons from fixed lists — never an id, a userName, a path or a message.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { NativeCallEvent } from '../connectors/http/types.js';
import { authFailureKind, type AuthFailureKind } from './auth-reasons.js';
import { RecentActivity } from './recent.js';

/** Latency buckets in seconds, from a cached lookup to a slow native call with retries. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Per-app rates over the last minutes, for the admin page. */
  readonly recent = new RecentActivity();
  readonly #apps: ReadonlySet<string>;
  readonly #requests: Histogram<'app' | 'method' | 'status_class'>;
  readonly #authFailures: Counter<'app' | 'reason'>;
  readonly #nativeCalls: Histogram<'app' | 'operation' | 'outcome'>;
  readonly #retries: Counter<'app' | 'operation'>;
  readonly #rateWait: Histogram<'app'>;
  readonly #store: Histogram<'operation' | 'outcome'>;
  readonly #keyFetches: Counter<'what' | 'outcome'>;

  constructor(apps: Iterable<string>) {
    this.#apps = new Set(apps);
    const registers = [this.registry];
    this.#requests = new Histogram({
      name: 'scim_bridge_http_request_duration_seconds',
      help: 'Inbound SCIM requests by app, method and status class, and how long they took',
      labelNames: ['app', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#authFailures = new Counter({
      name: 'scim_bridge_auth_failures_total',
      help: 'Refused inbound authentications by app and reason',
      labelNames: ['app', 'reason'],
      registers,
    });
    this.#nativeCalls = new Histogram({
      name: 'scim_bridge_native_call_duration_seconds',
      help: "Native API call attempts by app, plugin operation and outcome (ok, retry, error), time on the wire",
      labelNames: ['app', 'operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#retries = new Counter({
      name: 'scim_bridge_native_retries_total',
      help: 'Native API attempts that were tried again (429/503, timeouts, a refreshed token)',
      labelNames: ['app', 'operation'],
      registers,
    });
    this.#rateWait = new Histogram({
      name: 'scim_bridge_native_rate_wait_seconds',
      help: "Time native calls waited for the app's rate budget (a concurrency slot and a start token)",
      labelNames: ['app'],
      buckets: [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#store = new Histogram({
      name: 'scim_bridge_store_operation_duration_seconds',
      help: 'Store operations (SQLite or PostgreSQL) by operation and outcome (ok, error)',
      labelNames: ['operation', 'outcome'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.#keyFetches = new Counter({
      name: 'scim_bridge_entra_key_fetches_total',
      help: 'Fetches of Entra signing keys: OpenID discovery and JWKS, by outcome',
      labelNames: ['what', 'outcome'],
      registers,
    });
    // Process metrics: CPU, memory, event loop lag, handles.
    collectDefaultMetrics({ register: this.registry, prefix: 'scim_bridge_' });
  }

  /** An app name as a label: configured names only, so a guessed one cannot grow the series. */
  appLabel(app: string | undefined): string {
    return app !== undefined && this.#apps.has(app) ? app : 'none';
  }

  request(app: string | undefined, method: string, status: number, seconds: number): void {
    const label = this.appLabel(app);
    this.#requests.observe({ app: label, method: METHODS.has(method) ? method : 'other', status_class: `${Math.floor(status / 100)}xx` }, seconds);
    if (label !== 'none') this.recent.request(label, status);
  }

  authFailure(app: string | undefined, reason: string, kind?: AuthFailureKind): void {
    this.#authFailures.inc({ app: this.appLabel(app), reason: kind ?? authFailureKind(reason) });
  }

  nativeCall(app: string, event: NativeCallEvent): void {
    const labels = { app: this.appLabel(app), operation: event.operation };
    this.#nativeCalls.observe({ ...labels, outcome: event.outcome }, event.durationMs / 1000);
    if (event.outcome === 'retry') this.#retries.inc(labels);
    if (event.rateWaitMs !== undefined) this.#rateWait.observe({ app: labels.app }, event.rateWaitMs / 1000);
    this.recent.nativeCall(labels.app, event);
  }

  storeOperation(operation: string, ok: boolean, seconds: number): void {
    this.#store.observe({ operation, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  keyFetch(what: 'discovery' | 'jwks', ok: boolean): void {
    this.#keyFetches.inc({ what, outcome: ok ? 'ok' : 'error' });
  }

  /** The text exposition format, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
