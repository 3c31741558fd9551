/**
 * `npm run bench:scan`: what filters and sorts the store cannot answer cost over many users, and how long
 * they block everybody else. The gateway runs in a child process with BENCH_USERS users (default 20,000);
 * each scenario is one GET timed from here (the median of a few) while a probe asks `/healthz` back to
 * back. The baseline, measured in the same run, is Entra's every lookup: `userName eq`, answered by an
 * index. Env: BENCH_USERS, BENCH_RUNS (default 5).
 */
import { benchCli } from './cli.js';
import { installCleanup, stopServer } from './children.js';
import { preloadUserName } from './scenarios.js';
import { formatStallTable, medianOf, startStallGateway, timedWithProbe, type StallGateway, type StallRow } from './stall.js';

const cli = benchCli('bench:scan');
const { progress, intFromEnv } = cli;

const get = (gateway: StallGateway, query: Record<string, string>) =>
  timedWithProbe(gateway, 'GET', `/Users?${new URLSearchParams(query).toString().replace(/\+/g, '%20')}`);

async function main(): Promise<void> {
  cli.flags(process.argv.slice(2), []);
  const users = intFromEnv('BENCH_USERS', 20_000, 1_000, 200_000);
  const runs = intFromEnv('BENCH_RUNS', 5, 1, 50);
  installCleanup();
  const gateway = await startStallGateway({ name: 'bench:scan', users, server: {}, progress });
  try {
    const id = gateway.userIds[users - 1]!;
    const entra: [string, Record<string, string>][] = [
      ['Entra: externalId eq', { filter: `externalId eq "ext-${users - 1}"` }],
      ['Entra: id eq and manager eq (before a manager update)', { filter: `id eq "${id}" and manager eq "nobody"`, attributes: 'id' }],
      ['Entra: Test Connection (a random userName)', { filter: 'userName eq "00000000-0000-0000-0000-000000000000"' }],
    ];
    const scans: [string, Record<string, string>][] = [
      [`title eq (not indexed) over ${users}`, { filter: 'title eq "nobody"' }],
      [`emails co (not indexed) over ${users}`, { filter: 'emails co "@example.com"', count: '10' }],
      [`sortBy name.familyName over ${users}`, { sortBy: 'name.familyName', count: '10' }],
      [`userName sw "user00" and title pr (${Math.min(999, users)} candidates)`, { filter: 'userName sw "user00" and title pr' }],
      [`userName sw "user0" and title pr (${Math.min(9999, users)} candidates)`, { filter: 'userName sw "user0" and title pr' }],
    ];
    progress(`baseline: GET userName eq (median of ${runs * 3})`);
    const baseline: StallRow = {
      name: 'GET userName eq "…" (baseline)',
      timed: await medianOf(runs * 3, (i) => get(gateway, { filter: `userName eq "${preloadUserName(i)}"` })),
    };
    const rows: StallRow[] = [];
    for (const [name, query] of [...entra, ...scans]) {
      progress(`${name} (median of ${runs})`);
      rows.push({ name: `GET ${name}`, timed: await medianOf(runs, () => get(gateway, query)) });
    }
    process.stdout.write(`node ${process.version}, ${users} users, gateway on the default configuration (rate limit lifted)\n`);
    process.stdout.write(`${formatStallTable(baseline, rows)}\n`);
  } finally {
    await stopServer(gateway.server);
  }
}

cli.run(main);
