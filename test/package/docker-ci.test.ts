/**
 * The image runs what was tested: the Dockerfile pins one Node 22 LTS release for every stage, builds with
 * compilers only in build stages, installs runtime dependencies with `npm ci --omit=dev`, runs as a user
 * without privileges and checks /readyz with a start period; CI runs the suite on that same release.
 * There is no Docker engine here: the file is read, and its health check command is run for real.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments left out. */
const instructions = DOCKERFILE.replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((list, line) => {
  if (line.startsWith('FROM ')) list.push([]);
  list.at(-1)?.push(line);
  return list;
}, []);
const runtime = stages.at(-1)!;
const nodeVersion = /^ARG NODE_VERSION=(\S+)$/m.exec(DOCKERFILE)?.[1];

describe('Dockerfile', () => {
  it('pins one Node 22 LTS release (major.minor.patch) for every stage, on Debian slim', () => {
    expect(nodeVersion).toMatch(/^22\.\d+\.\d+$/);
    const froms = stages.map((s) => s[0]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    // Each stage starts from the pinned image or from an earlier stage.
    const named: string[] = [];
    for (const from of froms) {
      const [, image, name] = /^FROM (\S+)(?: AS (\w+))?$/.exec(from) ?? [];
      expect(image === 'node:${NODE_VERSION}-bookworm-slim' || named.includes(image!), from).toBe(true);
      if (name) named.push(name);
    }
    expect(froms.at(-1)).toBe('FROM node:${NODE_VERSION}-bookworm-slim');
  });

  it('has compilers only in build stages, runtime dependencies from npm ci --omit=dev, and no build leftovers', () => {
    for (const stage of stages.slice(0, -1).filter((s) => s.some((l) => /npm ci --omit=dev/.test(l)))) {
      const install = stage.find((l) => /npm ci --omit=dev/.test(l))!;
      // better-sqlite3's sources, objects and the SQLite amalgamation are removed; the addon stays.
      expect(install).toMatch(/rm -rf deps src binding\.gyp/);
      expect(install).toContain('! -name better_sqlite3.node');
    }
    expect(stages.slice(0, -1).some((s) => s.some((l) => /npm ci --omit=dev/.test(l)))).toBe(true);
    expect(runtime.join('\n')).not.toMatch(/apt-get|g\+\+|make|python3|npm (ci|install)/);
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(runtime.some((l) => /^COPY --from=\w+ \/app\/dist \.\/dist$/.test(l))).toBe(true);
  });

  it('runs the gateway as the unprivileged node user, with a health check that has a start period', () => {
    expect(runtime).toContain('USER node');
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/src/main.js"]');
    const healthcheck = runtime.find((l) => l.startsWith('HEALTHCHECK '));
    expect(healthcheck).toMatch(/--start-period=\d+s/);
    expect(healthcheck).toMatch(/--interval=\d+s/);
    expect(healthcheck).toMatch(/--timeout=\d+s/);
  });

  describe('the health check command', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway();
    });
    afterAll(async () => {
      await gw.close();
    });

    const command = () => JSON.parse(runtime.find((l) => l.startsWith('HEALTHCHECK '))!.replace(/^.* CMD /, '')) as string[];
    /** Runs the command as Docker would (the gateway answers from this process, so not with spawnSync). */
    const check = (port: string) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, command().slice(1), { env: { PORT: port }, stdio: 'ignore', timeout: 10_000 });
        child.once('exit', (code) => done(code));
      });

    it('passes against a running gateway and fails when nothing answers', async () => {
      expect(command().slice(0, 2)).toEqual(['node', '-e']);
      expect(await check(new URL(gw.origin).port)).toBe(0);
      expect(await check('1')).toBe(1);
    });

    it('asks for readiness: it fails while the gateway answers but its store does not', async () => {
      expect(command()[2]).toContain('/readyz');
      await gw.gateway.store.close();
      expect(await check(new URL(gw.origin).port)).toBe(1);
    });
  });
});

describe('CI', () => {
  it('also runs the test suite on the Node release the image runs', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const block = ci.slice(ci.indexOf('# ---- Node 22'));
    expect(block).toContain('bash scripts/test-on-node.sh "$(sed -n \'s/^ARG NODE_VERSION=//p\' Dockerfile)"');
    const script = readFileSync(join(ROOT, 'scripts/test-on-node.sh'), 'utf8');
    expect(script).toContain('npx -y -p "node@$version"');
    // The tree is left built for the Node that installed it, whatever happens.
    expect(script).toMatch(/trap restore EXIT/);
  });
});
