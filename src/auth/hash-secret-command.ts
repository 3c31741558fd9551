/**
 * `scim-bridge hash-secret`: reads a secret from stdin (never from the command line, where it would sit
 * in the shell history and the process list) and prints `scrypt$N$r$p$salt$hash` for `secrets: [{hash}]`.
 * On a terminal the input is not echoed.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { hashSecret, SCRYPT_DEFAULTS, SecretHashError } from './secret-hash.js';
import { MIN_SECRET_LENGTH } from './secrets.js';

export const HASH_SECRET_SUMMARY = 'read a secret on stdin, print a salted scrypt hash for auth.secrets';

export const HASH_SECRET_USAGE = `usage: scim-bridge hash-secret [--cost <N>] < secret-file

  Reads a secret from stdin (unechoed on a terminal; never from the command line) and prints a salted
  scrypt hash for an app's auth.secrets: - hash: "scrypt$…".

  --cost <N>   scrypt N, a power of two (default ${SCRYPT_DEFAULTS.N})
`;

export interface CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The whole of stdin, or one unechoed line from a terminal; the line ending is dropped. */
async function readSecret(io: CommandIo): Promise<string> {
  if (io.stdin.isTTY) {
    io.stderr.write('secret (not echoed): ');
    const muted = new Writable({ write: (_chunk, _enc, done) => done() });
    const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
    const line = await new Promise<string>((resolve) => rl.once('line', resolve));
    rl.close();
    io.stderr.write('\n');
    return line;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function hashSecretCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args, options: { cost: { type: 'string' } }, strict: true });
  const N = values.cost === undefined ? SCRYPT_DEFAULTS.N : Number(values.cost);
  const secret = await readSecret(io);
  if (secret.length < MIN_SECRET_LENGTH) {
    io.stderr.write(`scim-bridge: the secret must be at least ${MIN_SECRET_LENGTH} characters (got ${secret.length})\n`);
    return 1;
  }
  // The gateway trims secrets read from files; a hash of untrimmed text would never match one.
  if (secret !== secret.trim()) {
    io.stderr.write('scim-bridge: the secret starts or ends with whitespace; remove it\n');
    return 1;
  }
  try {
    io.stdout.write(`${await hashSecret(secret, { ...SCRYPT_DEFAULTS, N })}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof SecretHashError)) throw error;
    io.stderr.write(`scim-bridge: ${error.message}\n`);
    return 2;
  }
}
