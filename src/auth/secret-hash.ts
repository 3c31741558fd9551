/**
 * Stored secret hashes: `scrypt$N$r$p$salt$hash` (salt and hash base64url), made by
 * `scim-bridge hash-secret`, so a configuration file can hold a credential without holding the secret.
 * scrypt's cost is bounded here, because the parameters come from a file an operator edits and a huge N
 * would let one request pin a core and gigabytes of memory.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16 } as const;

export const SCRYPT_HASH_PATTERN = /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{32,128})$/;

export class SecretHashError extends Error {
  override name = 'SecretHashError';
}

function checkParameters(N: number, r: number, p: number): void {
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < LIMITS.minLogN || logN > LIMITS.maxLogN) {
    throw new SecretHashError(`scrypt N must be a power of two from 2^${LIMITS.minLogN} to 2^${LIMITS.maxLogN}, not ${N}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > LIMITS.maxR) throw new SecretHashError(`scrypt r must be 1-${LIMITS.maxR}, not ${r}`);
  if (!Number.isInteger(p) || p < 1 || p > LIMITS.maxP) throw new SecretHashError(`scrypt p must be 1-${LIMITS.maxP}, not ${p}`);
}

/** Parses and bounds a stored hash; throws SecretHashError saying what is wrong (never echoing the value). */
export function parseSecretHash(text: string): ScryptHash {
  const match = SCRYPT_HASH_PATTERN.exec(text);
  if (!match) throw new SecretHashError('not a scrypt$N$r$p$salt$hash string (make one with `scim-bridge hash-secret`)');
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  checkParameters(N, r, p);
  const salt = Buffer.from(match[4]!, 'base64url');
  const hash = Buffer.from(match[5]!, 'base64url');
  if (salt.length < 16) throw new SecretHashError('the salt is shorter than 16 bytes');
  if (hash.length < 32) throw new SecretHashError('the hash is shorter than 32 bytes');
  return { N, r, p, salt, hash };
}

function derive(secret: string, salt: Buffer, length: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // maxmem must cover 128·N·r·p, which Node's 32 MiB default does not for N = 2^15, r = 8 (plus overhead).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a secret with a fresh random salt; the result goes into `secrets: [{ hash: ... }]`. */
export async function hashSecret(secret: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  checkParameters(params.N, params.r, params.p);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, HASH_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Derives the candidate's hash with the stored salt and parameters (async: the work runs off the event loop). */
export async function verifySecretHash(candidate: string, stored: ScryptHash): Promise<boolean> {
  const derived = await derive(candidate, stored.salt, stored.hash.length, stored);
  return timingSafeEqual(derived, stored.hash);
}
