/**
 * Another process holding the SQLite file's write lock (issue: a foreign lock froze the whole gateway,
 * reads and /healthz included, then answered 500). Reads must keep flowing while a write waits; a write
 * that cannot get the lock in time answers 503 + Retry-After; once the lock goes, writes go through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

const CONFIG = `
store: { kind: sqlite, path: locked.db, busyTimeoutMs: 400 }
apps:
  directory:
    connector: store
    auth:
      secrets:
        - env: SCIM_BRIDGE_TOKEN
`;

/** A separate process that takes the write lock (BEGIN IMMEDIATE) and holds it until told to let go. */
async function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
  `;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((done, fail) => {
    child.stdout!.once('data', () => done());
    child.once('exit', (code) => fail(new Error(`lock holder exited with ${code}`)));
  });
  return {
    release: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.stdin!.write('go\n');
      }),
  };
}

describe('another process holding the database write lock', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ configYaml: CONFIG });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('reads and /healthz answer meanwhile, a write answers 503 + Retry-After, and writes resume after', async () => {
    const made = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'before@x' } }));
    expect(made.status).toBe(201);
    const lock = await holdWriteLock(join(gw.dataDir, 'locked.db'));
    try {
      // The write waits (asynchronously) for the lock; everything else is answered while it waits.
      let writeAnswered = false;
      const pendingWrite = gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'during@x' } });
      void pendingWrite.then(() => (writeAnswered = true));
      const health = await fetch(`${gw.origin}/healthz`);
      expect(health.status).toBe(200);
      const found = await read(await gw.call(`/Users?filter=${encodeURIComponent('userName eq "before@x"')}`));
      expect(found.status).toBe(200);
      expect(found.body.totalResults).toBe(1);
      const byId = await read(await gw.call(`/Users/${made.body.id}`));
      expect(byId.status).toBe(200);
      // All of that while the write was still waiting for the lock.
      expect(writeAnswered).toBe(false);
      const write = await read(await pendingWrite);
      expect(write.status).toBe(503);
      expect(write.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(write.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    } finally {
      await lock.release();
    }
    const after = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'during@x' } }));
    expect(after.status).toBe(201);
    const listed = await read(await gw.call('/Users'));
    expect(listed.body.totalResults).toBe(2);
  });
});

describe('a database that cannot take writes for a while', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ configYaml: CONFIG.replace('busyTimeoutMs: 400', 'busyTimeoutMs: 50') });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('is one warning line for the whole episode, without a stack — not error lines per request', async () => {
    const lock = await holdWriteLock(join(gw.dataDir, 'locked.db'));
    const before = gw.logs.length;
    try {
      const answers = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: `busy${i}@x` } }))),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 503));
    } finally {
      await lock.release();
    }
    const lines = gw.logs.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown; stack?: unknown });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/upstream trouble/);
    expect(JSON.stringify(warnings[0])).not.toMatch(/"stack"/);
  });
});
