import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { compileCondition, compileOrder, MAX_CONDITION_NODES } from '../../src/store/sqlite/condition-sql.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import type { StoreCondition } from '../../src/store/types.js';
import { runStoreContract } from './contract.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const contractDir = await mkdtemp(join(tmpdir(), 'scim-bridge-contract-'));
runStoreContract(
  'sqlite',
  () => openStore({ kind: 'sqlite', path: join(contractDir, `${randomUUID()}.db`) }),
  () => rm(contractDir, { recursive: true, force: true }),
);

const dir = await mkdtemp(join(tmpdir(), 'scim-bridge-sqlite-'));
const dbPath = (): string => join(dir, `${randomUUID()}.db`);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A second, independent connection for looking at the file from outside the store. */
function inspect<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  it('creates the parent directory, uses WAL and records the schema version', async () => {
    const path = join(dir, 'nested', randomUUID(), 'store.db');
    const store = await openStore({ kind: 'sqlite', path });
    await store.create('app', 'User', { data: { userName: 'a' } });
    await store.close();
    inspect(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });

  it('keeps everything across close and reopen', async () => {
    const path = dbPath();
    const first = await openStore({ kind: 'sqlite', path });
    const user = await first.create('app', 'User', { data: { userName: 'Ünïcode@x', tags: [1, [2]], 'urn:x:2.0:User': { a: 1 } } });
    const group = await first.create('app', 'Group', { data: { displayName: 'G' }, members: [{ value: user.id, raw: { value: user.id, display: 'U' } }] });
    await first.appendAudit({ app: 'app', action: 'create', resourceType: 'User', resourceId: user.id, status: 201 });
    await first.close();

    const second = await openStore({ kind: 'sqlite', path });
    expect(await second.get('app', 'User', user.id)).toStrictEqual(user);
    expect(await second.get('app', 'Group', group.id, { withMembers: true })).toStrictEqual(group);
    expect((await second.readAudit('app', 5)).map((r) => r.resourceId)).toStrictEqual([user.id]);
    const conflict = await second.create('app', 'User', { data: { userName: 'ÜNÏCODE@X' } }).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: 'conflict' });
    await second.close();
  });

  describe('migrations', () => {
    it('are idempotent: a second run, and a second opener, change nothing', async () => {
      const path = dbPath();
      const store = await openStore({ kind: 'sqlite', path });
      const made = await store.create('app', 'User', { data: { userName: 'a' } });
      const schema = () => inspect(path, (db) => db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all());
      const before = schema();
      await store.migrate();
      const again = await openStore({ kind: 'sqlite', path });
      expect(schema()).toStrictEqual(before);
      expect(await again.get('app', 'User', made.id)).toStrictEqual(made);
      await again.close();
      await store.close();
    });

    it('refuse a database from a newer build and leave it untouched', async () => {
      const path = dbPath();
      const db = new Database(path);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      await expect(openStore({ kind: 'sqlite', path })).rejects.toThrow(/newer/);
      inspect(path, (d) => {
        expect(d.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
        expect(d.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toStrictEqual({ n: 0 });
      });
    });

    it('are required before use, with a clear message', async () => {
      const store = openSqliteStore({ path: dbPath() });
      await expect(store.get('app', 'User', 'x')).rejects.toThrow(/migrate/);
      await store.migrate();
      await expect(store.get('app', 'User', 'x')).resolves.toBeNull();
      await store.close();
    });
  });

  it('ships planner statistics, so hot lookups use their index on a new database', async () => {
    const path = dbPath();
    await (await openStore({ kind: 'sqlite', path })).close();
    const plan = (sql: string, ...params: unknown[]) =>
      inspect(path, (db) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => (r as { detail: string }).detail).join(' | '));
    const byExternalId = compileCondition({ op: 'eq', field: 'externalId', value: 'x' });
    expect(
      plan(`SELECT id FROM resources WHERE app = ? AND type = ? AND ${byExternalId.sql} ORDER BY ${compileOrder(undefined)} LIMIT 1`, 'a', 'User', 'x'),
    ).toContain('resources_external_id');
    // Deleting a user cascades through memberships by member: that must be an index search too.
    expect(plan('DELETE FROM resources WHERE app = ? AND type = ? AND id = ?', 'a', 'User', 'x')).toContain('memberships_member');
  });

  describe('condition compilation', () => {
    const hostile = ["x' OR 1=1 --", "'); DROP TABLE resources; --", '%_', '\\', '"', '\u0000'];

    it.each(hostile)('never puts the value %j into the SQL text', (value) => {
      for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) {
        const { sql, params } = compileCondition({ op, field: 'userName', value });
        expect(sql.includes(value)).toBe(false);
        expect(params).toContain(value);
      }
    });

    it('maps fields through the fixed table only', () => {
      for (const field of ['__proto__', 'constructor', 'data', 'user_name; DROP TABLE resources']) {
        expect(() => compileCondition({ op: 'pr', field } as unknown as StoreCondition)).toThrow(TypeError);
      }
    });

    it('bounds the number of terms', () => {
      const leaf: StoreCondition = { op: 'eq', field: 'id', value: 'x' };
      let wide: StoreCondition[] = Array.from({ length: 2048 }, () => leaf);
      while (wide.length > 1) {
        const next: StoreCondition[] = [];
        for (let i = 0; i < wide.length; i += 2) next.push({ op: 'or', left: wide[i]!, right: wide[i + 1]! });
        wide = next;
      }
      expect(2 * 2048 - 1).toBeGreaterThan(MAX_CONDITION_NODES);
      expect(() => compileCondition(wide[0]!)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
    });

    it('leaves the database intact after hostile queries', async () => {
      const path = dbPath();
      const store = await openStore({ kind: 'sqlite', path });
      await store.create('app', 'User', { data: { userName: 'a' } });
      for (const value of hostile) {
        await store.query('app', 'User', { condition: { op: 'co', field: 'externalId', value } });
      }
      expect((await store.query('app', 'User', {})).total).toBe(1);
      await store.close();
    });
  });

  describe('a process killed with SIGKILL', () => {
    let childScript: string;
    let buildDir: string;

    // The child runs the real store code: transpile its sources next to node_modules so that
    // `better-sqlite3` resolves, since Node 20 cannot load TypeScript itself.
    beforeAll(async () => {
      buildDir = join(REPO, 'node_modules', '.cache', `scim-bridge-sigkill-${randomUUID()}`);
      const entry = await transpileTree(resolve(REPO, 'src/store/index.ts'), buildDir);
      await writeFile(join(buildDir, 'package.json'), '{"type":"module"}');
      childScript = join(buildDir, 'child.js');
      await writeFile(childScript, CHILD_SOURCE.replace('STORE_ENTRY', `./${relative(buildDir, entry)}`));
    });
    afterAll(() => rm(buildDir, { recursive: true, force: true }));

    it('loses no committed transaction and leaves a sound database', async () => {
      const path = dbPath();
      const lines = await runUntilKilled(childScript, [path], (seen) => seen.filter((l) => l.startsWith('user ')).length >= 400);
      const users = lines.filter((l) => l.startsWith('user ')).map((l) => l.split(' ') as [string, string, string]);
      const groupId = lines.find((l) => l.startsWith('group '))!.split(' ')[1]!;
      const memberships = lines.filter((l) => l.startsWith('members ')).map((l) => Number(l.split(' ')[1]));
      expect(users.length).toBeGreaterThanOrEqual(400);

      inspect(path, (db) => {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toStrictEqual([]);
      });
      const store = await openStore({ kind: 'sqlite', path });
      for (const [, n, id] of users) {
        const got = await store.get('crash', 'User', id);
        expect(got?.data).toStrictEqual(childUserData(Number(n)));
      }
      // Each member list was replaced whole in one transaction: it is some complete list, at least the
      // last one reported (a later one may have committed just before the kill).
      const group = await store.get('crash', 'Group', groupId, { withMembers: true });
      const count = group!.members!.length;
      expect(count).toBeGreaterThanOrEqual(memberships.at(-1) ?? 0);
      expect(group!.members!.map((m) => m.value)).toStrictEqual(users.slice(0, count).map(([, , id]) => id));
      await store.close();
    });
  });
});

/** What the child writes for user n; the parent checks every committed one against it. */
function childUserData(n: number) {
  return { userName: `user${n}@crash.test`, n, payload: 'ä'.repeat(200 + (n % 300)), list: [n, [String(n)]] };
}

const CHILD_SOURCE = `
import { openStore } from 'STORE_ENTRY';
const userData = ${childUserData.toString()};
const store = await openStore({ kind: 'sqlite', path: process.argv[2] });
const group = await store.create('crash', 'Group', { data: { displayName: 'crash' } });
process.stdout.write('group ' + group.id + '\\n');
const ids = [];
for (let n = 0; ; n++) {
  const user = await store.create('crash', 'User', { data: userData(n) });
  ids.push(user.id);
  // Pipes are written synchronously on Linux: a printed line means the commit happened before it.
  process.stdout.write('user ' + n + ' ' + user.id + '\\n');
  if (n % 25 === 0) {
    await store.replace('crash', 'Group', group.id, { data: { displayName: 'crash' }, members: ids.map((value) => ({ value, raw: { value } })) });
    process.stdout.write('members ' + ids.length + '\\n');
  }
}
`;

/** Spawns the child, collects its complete stdout lines, and SIGKILLs it once `enough` says so. */
function runUntilKilled(script: string, args: string[], enough: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (!killed && enough(lines)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed || signal !== 'SIGKILL') reject(new Error(`child ended with ${code ?? signal}: ${stderr}`));
      else resolvePromise(lines);
    });
  });
}

/** Transpiles `entry` and every relative import it reaches into `outDir`, mirroring the repo layout. */
async function transpileTree(entry: string, outDir: string): Promise<string> {
  const queue = [entry];
  const done = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(file, 'utf8');
    for (const ref of ts.preProcessFile(source, true, true).importedFiles) {
      if (ref.fileName.startsWith('.')) queue.push(resolve(dirname(file), ref.fileName.replace(/\.js$/, '.ts')));
    }
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(outDir, relative(REPO, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  return join(outDir, relative(REPO, entry)).replace(/\.ts$/, '.js');
}
