/**
 * A package people can adopt: a licence and a changelog beside the code, `scim-bridge --version`, and
 * `--help` for each command on its own (dist/src/cli.js, built by `npm test`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license?: string };

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', input: '' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('the package', () => {
  it('has a permissive licence, named in package.json', () => {
    const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(licence).toContain('Permission is hereby granted, free of charge');
    expect(pkg.license).toBe('MIT');
  });

  it('has a changelog in Keep a Changelog form with an Unreleased section', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog).toContain('[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)');
    const unreleased = changelog.split('\n## ')[1]!;
    expect(unreleased).toMatch(/^\[Unreleased\]\n/);
    expect(unreleased).toContain('\n### Added\n');
  });
});

describe('scim-bridge --version and --help', () => {
  it.each([['--version'], ['-v'], ['version']])('%s prints the version', (flag) => {
    expect(cli(flag)).toEqual({ code: 0, out: `scim-bridge ${pkg.version}\n`, err: '' });
  });

  it('--help lists the commands once each, and how to get a command’s help', () => {
    const { code, out } = cli('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: scim-bridge <command> \[options\]\n/);
    for (const command of ['validate', 'explain', 'hash-secret', 'audit']) expect(out.match(new RegExp(`^  ${command} `, 'gm'))).toHaveLength(1);
    expect(out).toContain('scim-bridge <command> --help');
    expect(out).toContain('scim-bridge --version');
    expect(out.match(/usage:/g)).toHaveLength(1);
  });

  it.each([
    ['validate', /^usage: scim-bridge validate \[--config <file>\] \[--offline\]\n/],
    ['explain', /^usage: scim-bridge explain --app <app> \[--config <file>\] \[--native-sample <file\.json>\] < request\.json\n/],
    ['hash-secret', /^usage: scim-bridge hash-secret \[--cost <N>\] < secret-file\n/],
    ['audit', /^usage: scim-bridge audit --app <app> \(--user <userName> \| --resource <id>\) \[--since <when>\] \[--json\]\n/],
  ])('%s --help (and help %s) prints that command’s usage alone', (command, usage) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const { code, out, err } = cli(...args);
      expect([code, err]).toEqual([0, '']);
      expect(out).toMatch(usage);
      expect(out.match(/usage:/g)).toHaveLength(1);
    }
  });

  it('an unknown command or option says so on stderr, with the usage to follow, exit 2', () => {
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^scim-bridge: unknown command "frobnicate"\nusage: scim-bridge <command>/);
    const option = cli('validate', '--frob');
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/^scim-bridge validate: Unknown option '--frob'.*\nusage: scim-bridge validate /);
  });
});
