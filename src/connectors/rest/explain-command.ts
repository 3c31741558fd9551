/**
 * `scim-bridge explain --app <app> [--config <file>]`: reads one SCIM request as JSON on stdin and
 * prints the native calls the gateway would make for it (method, URL, body), making none. The format
 * of the input is in explain.ts and docs/plugins.md.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { commandApp } from '../../config/command-app.js';
import { loadConfigWithStandIns } from '../../config/stand-ins.js';
import { ScimError } from '../../scim/errors.js';
import { explainRequest } from './explain.js';
import { explainScimRequest } from '../scim/explain.js';

export const EXPLAIN_SUMMARY = 'print the native calls a SCIM request would cause, making none';

export const EXPLAIN_USAGE = `usage: scim-bridge explain --app <app> [--config <file>] [--native-sample <file.json>] < request.json

  Reads one SCIM request on stdin, e.g. {"method":"POST","path":"/Users","body":{...}}, and prints the
  native calls the gateway would make for it, without making them. Needs no credentials.

  --app <app>           the rest app whose plugin runs
  --config, -c <file>   the configuration (default: $SCIM_BRIDGE_CONFIG, else config/gateway.yaml)
  --native-sample <file.json>
                        a native search answer to match against instead of "no match"
`;

export interface ExplainIo {
  stdin: AsyncIterable<Buffer | string>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

const MAX_INPUT = 1024 * 1024;

/** explain needs no tenant secrets (stand-ins for unset variables); credentials never appear in its output anyway. */
function loadForExplain(file: string, io: ExplainIo) {
  return loadConfigWithStandIns(file, { dataDir: resolve(io.env.SCIM_BRIDGE_DATA_DIR ?? './data'), env: io.env }).config;
}

async function readAll(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > MAX_INPUT) throw new Error('the request on stdin is larger than 1 MiB');
  }
  return text;
}

export async function explainCommand(args: string[], io: ExplainIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { app: { type: 'string' }, config: { type: 'string', short: 'c' }, 'native-sample': { type: 'string' } },
    strict: true,
  });
  if (!values.app) {
    io.stderr.write(`scim-bridge explain: --app is required\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const file = values.config ?? io.env.SCIM_BRIDGE_CONFIG ?? 'config/gateway.yaml';
  const found = commandApp('explain', values.app, () => loadForExplain(file, io), io.stderr);
  if (typeof found === 'number') return found;
  const { app } = found;
  if (!app.scim && (!app.plugin || !app.downstream)) {
    io.stderr.write(`scim-bridge explain: app "${app.name}" has connector ${app.connector}: it makes no native calls\n`);
    return 0;
  }

  let nativeSample: unknown;
  const sampleFile = values['native-sample'];
  if (sampleFile !== undefined) {
    try {
      nativeSample = JSON.parse(await readFile(sampleFile, 'utf8'));
    } catch (error) {
      io.stderr.write(`scim-bridge explain: --native-sample ${sampleFile}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }

  let input: unknown;
  try {
    input = JSON.parse(await readAll(io.stdin));
  } catch (error) {
    io.stderr.write(`scim-bridge explain: stdin must hold one JSON object: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let calls;
  const options = nativeSample === undefined ? {} : { nativeSample };
  try {
    calls = app.scim
      ? await explainScimRequest({ name: app.name, dialect: app.dialect, registry: app.registry, scim: app.scim }, input, options)
      : await explainRequest({ name: app.name, dialect: app.dialect, registry: app.registry, plugin: app.plugin!, downstream: app.downstream! }, input, options);
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    io.stdout.write(`the gateway would refuse this request: ${error.status}${error.scimType ? ` ${error.scimType}` : ''}: ${error.message}\n`);
    return 1;
  }
  const request = input as { method: string; path: string };
  io.stdout.write(`app ${app.name} (plugin ${(app.plugin ?? app.scim?.plugin)!.name}): ${request.method} ${request.path} → ${calls.length} native call(s), none made\n`);
  calls.forEach((call, i) => {
    io.stdout.write(`${i + 1}. ${call.method} ${call.url}    [${call.operation}]\n`);
    if (call.body !== undefined) io.stdout.write(`${JSON.stringify(call.body, null, 2).replace(/^/gm, '   ')}\n`);
    for (const note of call.notes ?? []) io.stdout.write(`   → ${note}\n`);
  });
  if (nativeSample === undefined && calls.some((c) => c.operation.endsWith('.search'))) {
    io.stdout.write('(explain answers every native search with "no match"; --native-sample <file.json> gives it an answer)\n');
  }
  return 0;
}
