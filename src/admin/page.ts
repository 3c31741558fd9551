/**
 * The admin page (/admin): one table of apps (connector, auth mode, dialect, the last five minutes'
 * requests and errors, native API health and rate-budget use), a search for one user's timeline, and
 * each app's last reconcile report with its differences. Plain HTML and a little CSS, no script.
 */
import type { Timeline } from '../audit/timeline.js';
import type { ActivitySummary } from '../metrics/recent.js';
import { html, raw, type Html } from './html.js';
import type { ReconcileStatusView } from './reconcile.js';

export interface AdminAppView {
  name: string;
  connector: string;
  plugin?: string;
  dialect: string;
  auth: string;
  /** The native API's rate budget (requests per second), rest apps only. */
  rateLimit?: number;
}

export interface AdminPageModel {
  version: string;
  apps: (AdminAppView & { activity?: ActivitySummary; reconcile?: ReconcileStatusView })[];
  metrics: boolean;
  search: { app?: string; user?: string; since?: string };
  timeline?: Timeline;
  error?: string;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f23; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.ok { color: #1a7f37; } .bad { color: #cf222e; font-weight: 600; } .idle { color: #6e7781; }
.step td { color: #57606a; font-size: 13px; } .step td:first-child { padding-left: 1.5rem; }
form { margin: .5rem 0; } input, select, button { font: inherit; padding: .2rem .4rem; }
.error { color: #cf222e; } code { background: #f6f8fa; padding: 0 .2rem; }`;

export function renderAdminPage(model: AdminPageModel): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scim-bridge admin</title><style>${raw(STYLE)}</style></head>
<body>
<h1>scim-bridge ${model.version}</h1>
<p>${model.metrics ? html`Prometheus metrics: <a href="/metrics">/metrics</a>. ` : 'Metrics are off (admin.metrics: false). '}Rates over the last five minutes.</p>
<h2>Apps</h2>
<table id="apps">
<tr><th>app</th><th>connector</th><th>auth</th><th>dialect</th><th>requests</th><th>4xx</th><th>5xx</th><th>native calls</th><th>native API</th><th>rate budget</th></tr>
${model.apps.map(appRow)}
</table>
<h2>What happened to a user</h2>
<form id="search" method="get" action="/admin">
<label>app <select name="app">${model.apps.map((a) => html`<option${raw(a.name === model.search.app ? ' selected' : '')}>${a.name}</option>`)}</select></label>
<label>userName or displayName <input name="user" size="32" value="${model.search.user ?? ''}" required></label>
<label>since <input name="since" size="6" value="${model.search.since ?? ''}" placeholder="7d"></label>
<button type="submit">Show timeline</button>
</form>
${model.error ? html`<p class="error">${model.error}</p>` : ''}
${model.timeline ? timelineTable(model.timeline) : ''}
<h2>Reconcile</h2>
${model.apps.some((a) => a.reconcile) ? model.apps.filter((a) => a.reconcile).map((a) => reconcileReport(a.reconcile!)) : html`<p class="idle">No reconcile report yet.</p>`}
</body></html>`.text;
}

function appRow(app: AdminPageModel['apps'][number]): Html {
  const a = app.activity;
  const connector = app.plugin ? `${app.connector} (${app.plugin})` : app.connector;
  return html`<tr data-app="${app.name}">
<td>${app.name}</td><td>${connector}</td><td>${app.auth}</td><td>${app.dialect}</td>
<td>${a ? `${a.requests} (${(a.requests / a.windowSeconds).toFixed(2)}/s)` : '–'}</td>
<td>${a?.clientErrors ?? '–'}</td><td class="${a && a.serverErrors > 0 ? 'bad' : ''}">${a?.serverErrors ?? '–'}</td>
<td>${app.connector === 'rest' && a ? `${a.nativeCalls} (${a.nativeRetries} retried, ${a.nativeErrors} failed)` : '–'}</td>
<td>${nativeHealth(app)}</td>
<td>${budget(app)}</td>
</tr>`;
}

function nativeHealth(app: AdminPageModel['apps'][number]): Html {
  if (app.connector !== 'rest') return html`<span class="idle">none (the gateway is the system of record)</span>`;
  const a = app.activity;
  if (!a || a.nativeCalls === 0) return html`<span class="idle">no calls lately</span>`;
  const failing = a.nativeErrors > 0 && (a.lastNativeStatus === undefined || a.lastNativeStatus === 0 || a.lastNativeStatus >= 500 || a.lastNativeStatus === 429);
  return failing ? html`<span class="bad">failing (last status ${a.lastNativeStatus ?? 'none'})</span>` : html`<span class="ok">ok (last status ${a.lastNativeStatus})</span>`;
}

function budget(app: AdminPageModel['apps'][number]): string {
  if (app.rateLimit === undefined || !app.activity) return '–';
  const used = (app.activity.nativeRate / app.rateLimit) * 100;
  return `${app.activity.nativeRate.toFixed(2)}/s of ${app.rateLimit}/s (${used.toFixed(1)} %), waited ${app.activity.rateWaitMs} ms`;
}

function timelineTable(timeline: Timeline): Html {
  const who = timeline.query.user ?? timeline.query.resource;
  if (timeline.entries.length === 0) return html`<p id="timeline">Nothing recorded for <code>${who}</code> in app ${timeline.app}.</p>`;
  return html`<table id="timeline">
<tr><th>when</th><th>what</th><th>resource</th><th>result</th><th>request</th></tr>
${timeline.entries.map(
  (e) => html`<tr class="entry"><td>${e.at}</td><td>${e.operation ?? '(native calls only)'} ${e.resourceType}</td>
<td>${e.resourceName ?? ''} ${e.resourceId ? html`<br><code>${e.resourceId}</code>` : ''}${e.nativeId ? html`<br>native ${e.nativeId}` : ''}</td>
<td class="${e.result && e.result.status >= 400 ? 'bad' : 'ok'}">${e.result ? `${e.result.status} ${e.result.outcome ?? ''}` : ''}${e.result?.detail ? html`<br>${e.result.detail}` : ''}</td>
<td><code>${e.requestId ?? ''}</code></td></tr>
${e.steps.map(
  (s) => html`<tr class="step"><td>${s.at.slice(11)}</td><td>${s.action}</td><td></td><td class="${s.status >= 400 || s.status === 0 ? 'bad' : ''}">${s.status} ${s.outcome ?? ''}${s.durationMs === undefined ? '' : ` · ${s.durationMs.toFixed(1)} ms`}</td><td>${s.detail ?? ''}</td></tr>`,
)}`,
)}
</table>${timeline.truncated ? html`<p class="idle">Older history was cut off.</p>` : ''}`;
}

function reconcileReport(status: ReconcileStatusView): Html {
  const c = status.counts;
  const differing = status.entries.filter((e) => e.kind !== 'equal');
  return html`<section class="reconcile" data-app="${status.app}">
<p><strong>${status.app}</strong>: ${status.mode}, ${status.state}${status.state === 'running' ? ` (${status.progress.seen}${status.progress.total === undefined ? '' : ` of ${status.progress.total}`} seen)` : ''},
started ${status.startedAt}${status.finishedAt ? `, finished ${status.finishedAt}` : ''} — ${c.equal} equal, ${c.differs} differ, ${c.nativeOnly} native only, ${c.gatewayOnly} gateway only${status.error ? html` — <span class="bad">${status.error}</span>` : ''}</p>
${differing.length > 0 ? html`<table><tr><th>kind</th><th>user</th><th>differences (native / gateway)</th><th>note</th></tr>
${differing.map(
  (e) => html`<tr><td>${e.kind}</td><td>${e.userName ?? ''}${e.id ? html`<br><code>${e.id}</code>` : ''}${e.nativeId ? html`<br>native ${e.nativeId}` : ''}</td>
<td>${(e.fields ?? []).map((f) => html`<code>${f.path}</code>: ${JSON.stringify(f.native)} / ${JSON.stringify(f.gateway)}<br>`)}</td>
<td>${e.adoptable === undefined ? '' : e.adoptable ? 'adoptable' : 'not adoptable'}${e.reason ? ` — ${e.reason}` : ''}</td></tr>`,
)}</table>` : ''}
</section>`;
}
