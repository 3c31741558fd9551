/**
 * Checks a bearer candidate against an app's secrets. Every digest is compared, in constant time, whether
 * or not an earlier one matched. Stored scrypt hashes are slow on purpose, so a successful verification is
 * remembered for a short while — keyed by the candidate's SHA-256, never by the candidate itself.
 */
import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ScryptHash } from './secret-hash.js';
import { verifySecretHash } from './secret-hash.js';
import { digest, type ResolvedSecrets } from './secrets.js';

export interface SecretVerifierOptions {
  /** How long a successful hash verification is remembered. */
  cacheTtlMs?: number;
  cacheMax?: number;
}

export class SecretVerifier {
  readonly #digests: readonly Buffer[];
  readonly #hashes: readonly ScryptHash[];
  readonly #verified: LRUCache<string, true> | undefined;

  constructor(secrets: Pick<ResolvedSecrets, 'digests' | 'hashes'>, options: SecretVerifierOptions = {}) {
    this.#digests = [...secrets.digests];
    this.#hashes = [...secrets.hashes];
    this.#verified =
      this.#hashes.length > 0 ? new LRUCache({ max: options.cacheMax ?? 1000, ttl: options.cacheTtlMs ?? 5 * 60_000 }) : undefined;
  }

  get size(): number {
    return this.#digests.length + this.#hashes.length;
  }

  async verify(candidate: string): Promise<boolean> {
    const got = digest(candidate);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(got, d) || ok;
    if (ok || !this.#verified) return ok;
    const key = got.toString('base64url');
    if (this.#verified.get(key)) return true;
    for (const hash of this.#hashes) ok = (await verifySecretHash(candidate, hash)) || ok;
    if (ok) this.#verified.set(key, true);
    return ok;
  }
}
