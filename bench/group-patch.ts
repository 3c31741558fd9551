/**
 * `npm run bench:group-patch`: what large group PATCHes cost, and how long they block everybody else. The
 * gateway runs in a child process with BENCH_MEMBERS users (default 10,000); each scenario is one SCIM
 * request timed from here while a probe asks `/healthz` back to back. The baseline, measured in the same
 * run, is the PATCH Entra sends most: one member added to a small group. Env: BENCH_MEMBERS.
 */
import { benchCli } from './cli.js';
import { installCleanup, stopServer } from './children.js';
import { formatStallTable, medianOf, startStallGateway, timedWithProbe, type StallGateway, type StallRow } from './stall.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const cli = benchCli('bench:group-patch');
const { progress, intFromEnv } = cli;

const patch = (...operations: object[]) => ({ schemas: [PATCH_OP], Operations: operations });
/** Members as Entra sends them (ENTRA.md #13: `"$ref": null`). */
const memberList = (ids: readonly string[]) => ids.map((value) => ({ $ref: null, value }));

async function createGroup(gateway: StallGateway, displayName: string): Promise<string> {
  const res = await fetch(`${gateway.origin}/apps/directory/scim/v2/Groups`, {
    method: 'POST',
    headers: gateway.headers,
    body: JSON.stringify({ schemas: [GROUP], displayName }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || typeof body.id !== 'string') throw new Error(`creating group ${displayName} answered ${res.status}`);
  return body.id;
}

async function run(gateway: StallGateway, members: number): Promise<{ baseline: StallRow; rows: StallRow[] }> {
  const ids = gateway.userIds.slice(0, members);
  const spare = gateway.userIds.slice(members);
  const small = await createGroup(gateway, 'small');
  const big = await createGroup(gateway, 'big');
  const groupPatch = (group: string, body: unknown) => timedWithProbe(gateway, 'PATCH', `/Groups/${group}`, body);
  const addOne = (group: string, i: number) => groupPatch(group, patch({ op: 'Add', path: 'members', value: memberList([spare[i]!]) }));
  const removeOne = (group: string, i: number) => groupPatch(group, patch({ op: 'Remove', path: 'members', value: memberList([spare[i]!]) }));

  progress('baseline: PATCH Add 1 member to a small group');
  const baseline: StallRow = { name: 'PATCH Add 1 member, group of ≤ 10 (baseline)', timed: await medianOf(9, (i) => addOne(small, i)) };
  const rows: StallRow[] = [];
  progress(`PATCH Add ${members} members in one operation`);
  rows.push({ name: `PATCH Add ${members} members (one operation, Entra's form)`, timed: await groupPatch(big, patch({ op: 'Add', path: 'members', value: memberList(ids) })) });
  progress(`PATCH Add 1 member to the group of ${members}`);
  rows.push({ name: `PATCH Add 1 member, group of ${members}`, timed: await medianOf(5, (i) => addOne(big, i)) });
  rows.push({ name: `PATCH Remove 1 member by value list, group of ${members}`, timed: await medianOf(5, (i) => removeOne(big, i)) });
  const filtered = ids.slice(0, Math.min(1000, members)).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }));
  progress(`PATCH remove ${filtered.length} members, one members[value eq] operation each`);
  rows.push({ name: `PATCH remove ${filtered.length} × members[value eq "…"] (aadOptscim062020), group of ${members}`, timed: await groupPatch(big, patch(...filtered)) });
  progress(`PATCH Remove ${members - filtered.length} members by value list`);
  rows.push({
    name: `PATCH Remove ${members - filtered.length} members by value list (Entra's form)`,
    timed: await groupPatch(big, patch({ op: 'Remove', path: 'members', value: memberList(ids.slice(filtered.length)) })),
  });
  return { baseline, rows };
}

async function main(): Promise<void> {
  cli.flags(process.argv.slice(2), []);
  const members = intFromEnv('BENCH_MEMBERS', 10_000, 1_000, 100_000);
  installCleanup();
  const gateway = await startStallGateway({
    name: 'bench:group-patch',
    users: members + 20,
    // Bodies of many members are large (about 55 bytes a member), and may carry more than the default bound.
    server: { bodyLimitBytes: 64 * 1024 * 1024, maxMembersPerRequest: Math.max(members, 10_000) },
    progress,
  });
  try {
    const { baseline, rows } = await run(gateway, members);
    process.stdout.write(`node ${process.version}, ${members} members, gateway on the default configuration (rate limit lifted)\n`);
    process.stdout.write(`${formatStallTable(baseline, rows)}\n`);
  } finally {
    await stopServer(gateway.server);
  }
}

cli.run(main);
