/**
 * `scim-bridge audit --app <app> (--user <userName> | --resource <id>) [--since 1d] [--json]`: what the
 * gateway did to one user or group — each SCIM request, the native calls it made, how it ended — read
 * from the store the configuration names (the gateway need not run; deleted resources included).
 */
import { parseArgs } from 'node:util';
import { readStartEnvironment } from '../config/environment.js';
import { ConfigError } from '../config/load.js';
import { loadConfigWithStandIns } from '../config/stand-ins.js';
import { openStore } from '../store/index.js';
import { formatTimeline, readTimeline, TimelineQueryError } from './timeline.js';

export const AUDIT_SUMMARY = "show one user's or group's history: SCIM requests, native calls, results";

export const AUDIT_USAGE = `usage: scim-bridge audit --app <app> (--user <userName> | --resource <id>) [--since <when>] [--json]

  Reads the audit trail from the store the configuration names (SQLite file or PostgreSQL), also while
  the gateway runs, and prints the timeline: each SCIM request, the native calls it made and its result.
  Deleted users and groups are found too.

  --app, -a <app>        the app (as in the configuration)
  --user, -u <name>      a userName (or a group's displayName), any case, as any request wrote it
  --resource, -r <id>    a SCIM id instead
  --since, -s <when>     only from then on: 30m, 12h, 7d, or a date (2026-12-01) or time
  --limit <n>            at most this many audit rows, the newest (default 500)
  --json                 the timeline as JSON (as GET /admin/audit answers it)
  --config, -c <file>    the configuration (default: $SCIM_BRIDGE_CONFIG, else config/gateway.yaml)
`;

export interface AuditIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

export async function auditCommand(args: string[], io: AuditIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string', short: 'a' },
      user: { type: 'string', short: 'u' },
      resource: { type: 'string', short: 'r' },
      since: { type: 'string', short: 's' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    },
    strict: true,
  });
  if (!values.app || (!values.user && !values.resource)) {
    io.stderr.write(`scim-bridge audit: give --app and --user (or --resource)\n${AUDIT_USAGE}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    io.stderr.write(`scim-bridge audit: --limit must be a positive whole number\n`);
    return 2;
  }
  const file = values.config ?? (io.env.SCIM_BRIDGE_CONFIG || 'config/gateway.yaml');
  let config;
  try {
    // Only the store is opened: the apps' native credentials may be absent in the operator's shell.
    config = loadConfigWithStandIns(file, { dataDir: readStartEnvironment({ SCIM_BRIDGE_DATA_DIR: io.env.SCIM_BRIDGE_DATA_DIR }).dataDir, env: io.env }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (!config.apps.has(values.app)) {
    io.stderr.write(`scim-bridge audit: no app "${values.app}" in ${config.file} (apps: ${[...config.apps.keys()].join(', ')})\n`);
    return 2;
  }
  const store = await openStore(config.store);
  try {
    const timeline = await readTimeline(store, {
      app: values.app,
      ...(values.user ? { user: values.user } : {}),
      ...(values.resource ? { resource: values.resource } : {}),
      ...(values.since ? { since: values.since } : {}),
      ...(limit === undefined ? {} : { limit }),
    });
    io.stdout.write(values.json ? `${JSON.stringify(timeline, null, 2)}\n` : formatTimeline(timeline));
    return 0;
  } catch (error) {
    if (!(error instanceof TimelineQueryError)) throw error;
    io.stderr.write(`scim-bridge audit: ${error.message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}
