/**
 * Bearer secrets of an app: resolved from the environment at start-up, kept only as SHA-256 digests so
 * the comparison is constant-time whatever the candidate's length, and the secret itself is not held.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AppConfig } from '../config/load.js';

export const digest = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export interface ResolvedSecrets {
  digests: Buffer[];
  /** Human-readable origin of each secret, for the start-up log (never the secret). */
  origins: string[];
}

/** Secrets shorter than this are refused: a guessable Secret Token is worse than none. */
export const MIN_SECRET_LENGTH = 16;

export class SecretError extends Error {
  override name = 'SecretError';
}

function generatedSecret(dataDir: string, app: string): { secret: string; origin: string } {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, `${app}.token`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  return { secret, origin: `generated, in ${relative(process.cwd(), file) || file}` };
}

export function resolveSecrets(app: AppConfig, env: NodeJS.ProcessEnv, dataDir: string): ResolvedSecrets {
  const digests: Buffer[] = [];
  const origins: string[] = [];
  for (const source of app.auth.secrets) {
    const names = Array.isArray(source.env) ? source.env : [source.env];
    const name = names.find((n) => (env[n] ?? '') !== '');
    if (!name) continue;
    const secret = env[name]!;
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new SecretError(`app ${app.name}: the secret in ${name} is shorter than ${MIN_SECRET_LENGTH} characters`);
    }
    digests.push(digest(secret));
    origins.push(`env ${name}`);
  }
  if (digests.length === 0) {
    if (app.auth.whenUnset !== 'generate') {
      const tried = app.auth.secrets.flatMap((s) => (Array.isArray(s.env) ? s.env : [s.env]));
      throw new SecretError(`app ${app.name}: no secret is set (tried ${tried.join(', ') || 'nothing'})`);
    }
    const { secret, origin } = generatedSecret(dataDir, app.name);
    digests.push(digest(secret));
    origins.push(origin);
  }
  return { digests, origins };
}

/** True when `candidate` equals one of the secrets. Compares against all of them, in constant time. */
export function matchesSecret(candidate: string, digests: readonly Buffer[]): boolean {
  const got = digest(candidate);
  let ok = false;
  for (const d of digests) ok = timingSafeEqual(got, d) || ok;
  return ok;
}
