/**
 * Bearer secrets of an app, resolved when the configuration is (re)loaded: from the environment, from a
 * file, or given as a stored hash. Plain secrets are kept only as SHA-256 digests, so the comparison is
 * constant-time whatever the candidate's length and the secret itself is not held; stored scrypt hashes
 * are kept parsed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AppConfig } from '../config/load.js';
import { parseSecretHash, type ScryptHash } from './secret-hash.js';

export const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export interface ResolvedSecrets {
  /** SHA-256 digests of the secrets from env, file and `sha256` sources. */
  digests: Buffer[];
  /** Parsed `hash` sources. */
  hashes: ScryptHash[];
  /** Human-readable origin of each secret, for the start-up log (never the secret). */
  origins: string[];
  /** `whenUnset: generate` with no secret set: the file the generated secret is (or would be) kept in. */
  generatedIn?: string;
}

export interface ResolveOptions {
  /** false: report where a secret would be generated, but write nothing (`scim-bridge validate`). */
  generate?: boolean;
}

/** Secrets shorter than this are refused: a guessable Secret Token is worse than none. */
export const MIN_SECRET_LENGTH = 16;

export class SecretError extends Error {
  override name = 'SecretError';
}

const generatedSecretFile = (dataDir: string, app: string) => join(dataDir, 'secrets', `${app}.token`);

function generatedSecret(dataDir: string, app: string): { secret: string; origin: string } {
  const dir = join(dataDir, 'secrets');
  const file = generatedSecretFile(dataDir, app);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  return { secret, origin: `generated, in ${relative(process.cwd(), file) || file}` };
}

function checkLength(app: string, secret: string, origin: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SecretError(`app ${app}: the secret in ${origin} is shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

function readSecretFile(app: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SecretError(`app ${app}: the secret file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return checkLength(app, text.trim(), `file ${file}`);
}

export function resolveSecrets(app: AppConfig, env: NodeJS.ProcessEnv, dataDir: string, options: ResolveOptions = {}): ResolvedSecrets {
  const resolved: ResolvedSecrets = { digests: [], hashes: [], origins: [] };
  const tried: string[] = [];
  for (const source of app.auth.secrets) {
    if (source.env !== undefined) {
      const names = Array.isArray(source.env) ? source.env : [source.env];
      tried.push(...names);
      const name = names.find((n) => (env[n] ?? '') !== '');
      if (!name) continue;
      resolved.digests.push(digest(checkLength(app.name, env[name]!, name)));
      resolved.origins.push(`env ${name}`);
    } else if (source.file !== undefined) {
      resolved.digests.push(digest(readSecretFile(app.name, source.file)));
      resolved.origins.push(`file ${relative(process.cwd(), source.file) || source.file}`);
    } else if (source.sha256 !== undefined) {
      resolved.digests.push(Buffer.from(source.sha256, 'hex'));
      resolved.origins.push('sha256 digest');
    } else if (source.hash !== undefined) {
      resolved.hashes.push(parseSecretHash(source.hash));
      resolved.origins.push('scrypt hash');
    }
  }
  const none = resolved.digests.length + resolved.hashes.length === 0;
  // An app that lists no secret source but accepts Entra JWTs is JWT-only; that is not "unset".
  const jwtOnly = app.auth.secrets.length === 0 && app.auth.entra !== undefined;
  if (none && !jwtOnly) {
    if (app.auth.whenUnset !== 'generate') {
      throw new SecretError(`app ${app.name}: no secret is set (tried ${tried.join(', ') || 'nothing'})`);
    }
    resolved.generatedIn = generatedSecretFile(dataDir, app.name);
    if (options.generate === false) return resolved;
    const { secret, origin } = generatedSecret(dataDir, app.name);
    resolved.digests.push(digest(secret));
    resolved.origins.push(origin);
  }
  return resolved;
}
