/**
 * Error messages an operator can act on: a wrong plugin name lists the plugins there (and the closest);
 * a literal secret where a source is expected says how to give one; a YAML mistake is one problem at the
 * line where it is, with its code frame; a bad SCIM_BRIDGE_LOG_LEVEL is one clear line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  const file = join(dir, `gateway-${(files += 1)}.yaml`);
  writeFileSync(file, yaml);
  try {
    loadConfig(file, { dataDir: dir, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const restApp = (plugin: string, credentials = '{ apiKey: { env: KEY } }') =>
  ['apps:', '  hr:', '    connector: rest', `    plugin: ${plugin}`, '    auth: { secrets: [{ env: TOKEN }] }', '    downstream:', '      baseUrl: https://hr.example', `      credentials: ${credentials}`].join('\n');

describe('configuration mistakes, explained', () => {
  it('a wrong plugin name lists the plugins that exist and the closest one, in one problem', () => {
    const problems = problemsOf(restApp('15fiv'), { KEY: 'k' });
    expect(problems).toEqual([expect.stringMatching(/apps\.hr\.plugin: no plugin "15fiv" in .*plugins \(there are: 15five, bamboohr, hibob, personio\); did you mean "15five"\?$/)]);
    expect(problemsOf(restApp('workday'), { KEY: 'k' })[0]).toMatch(/no plugin "workday" in .*\(there are: 15five, bamboohr, hibob, personio\)$/);
  });

  it('a literal secret where a source is expected says to use { env: … }', () => {
    const inbound = problemsOf('apps:\n  hr:\n    connector: store\n    auth: { secrets: [not-a-source-but-a-secret-0123] }\n');
    expect(inbound).toEqual([expect.stringContaining('apps.hr.auth.secrets.0: a literal secret is not accepted; give where it comes from: { env: VARIABLE }, { file: path }, { hash: "scrypt$…" } or { sha256: … }')]);
    const outbound = problemsOf(restApp('15five', '{ apiKey: literal-api-key }'));
    expect(outbound).toEqual([expect.stringContaining('apps.hr.downstream.credentials.apiKey: a literal value is not accepted; read it from the environment: { env: VARIABLE }')]);
    // Neither message repeats the value.
    expect([...inbound, ...outbound].join('\n')).not.toMatch(/not-a-source-but-a-secret-0123|literal-api-key/);
  });

  it('a YAML error keeps its code frame', () => {
    const [problem, ...rest] = problemsOf('apps:\n  hr:\n    connector: store\n    auth: { secrets: [{ env: TOKEN }]\n    dialect: entra\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/gateway-\d+\.yaml:4:11: "\{" is never closed/);
    expect(problem).toContain('\n        auth: { secrets: [{ env: TOKEN }]\n');
    expect(problem).toMatch(/\n {14}\^/);
  });

  it.each([
    { what: 'an unclosed [', edit: (t: string) => t.replace('      by: [userName, emails.value]', '      by: [userName, emails.value'), at: /plugin\.yaml:\d+:11: "\[" is never closed/ },
    { what: 'an unclosed {', edit: (t: string) => t.replace("    read: { method: GET, path: '/user/{id}/' }", "    read: { method: GET, path: '/user/{id}/'"), at: /plugin\.yaml:\d+:11: "\{" is never closed/ },
    { what: 'an unclosed quote', edit: (t: string) => t.replace("value: '{apiKey}' }", "value: '{apiKey} }"), at: /plugin\.yaml:15:\d+: Missing closing 'quote/ },
  ])('one $what in a plugin is one problem, at its line', ({ edit, at }) => {
    const pluginsDir = mkdtempSync(join(dir, 'plugins-'));
    const text = readFileSync(join(ROOT, 'plugins/15five/plugin.yaml'), 'utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    const target = join(pluginsDir, '15five');
    spawnSync('cp', ['-r', join(ROOT, 'plugins/15five'), target]);
    writeFileSync(join(target, 'plugin.yaml'), edited);
    const problems = problemsOf(restApp('15five'), { KEY: 'k', SCIM_BRIDGE_PLUGINS_DIR: pluginsDir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(at);
    const line = Number(/plugin\.yaml:(\d+):/.exec(problems[0]!)![1]);
    expect(problems[0]).toContain(`\n    ${edited.split('\n')[line - 1]}\n`);
  });
});

describe('start-up', () => {
  it('an invalid SCIM_BRIDGE_LOG_LEVEL is one clear line', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/src/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', SCIM_BRIDGE_LOG_LEVEL: 'loud', SCIM_BRIDGE_TOKEN: 'x'.repeat(20), SCIM_BRIDGE_DATA_DIR: dir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('scim-bridge: SCIM_BRIDGE_LOG_LEVEL: "loud" is not a log level (fatal, error, warn, info, debug, trace, silent)\n');
  });
});
