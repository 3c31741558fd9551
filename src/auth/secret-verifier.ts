/**
 * Checks a bearer candidate against an app's secrets. Every digest is compared, in constant time, whether
 * or not an earlier one matched. Stored scrypt hashes are slow on purpose, so the outcome of a hash check
 * is remembered for a short while — keyed by the candidate's SHA-256, never by the candidate itself: a
 * success, so a valid client pays once; and a failure, so a client that keeps sending a removed secret
 * costs a SHA-256 per request rather than a scrypt. A reload builds a new verifier, forgetting both.
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
  readonly #refused: LRUCache<string, true> | undefined;

  constructor(secrets: Pick<ResolvedSecrets, 'digests' | 'hashes'>, options: SecretVerifierOptions = {}) {
    this.#digests = [...secrets.digests];
    this.#hashes = [...secrets.hashes];
    const cache = () => new LRUCache<string, true>({ max: options.cacheMax ?? 1000, ttl: options.cacheTtlMs ?? 5 * 60_000 });
    this.#verified = this.#hashes.length > 0 ? cache() : undefined;
    this.#refused = this.#hashes.length > 0 ? cache() : undefined;
  }

  get size(): number {
    return this.#digests.length + this.#hashes.length;
  }

  /**
   * `mayHash` is asked right before a candidate would be hashed (and only then); when it says no the
   * candidate counts as not matching (authenticate.ts: an address the failed-login throttle refuses).
   */
  async verify(candidate: string, mayHash: () => Promise<boolean> = hashAlways): Promise<boolean> {
    const got = digest(candidate);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(got, d) || ok;
    if (ok || !this.#verified || !this.#refused) return ok;
    const key = got.toString('base64url');
    if (this.#verified.get(key)) return true;
    if (this.#refused.get(key) || !(await mayHash())) return false;
    for (const hash of this.#hashes) ok = (await verifySecretHash(candidate, hash)) || ok;
    (ok ? this.#verified : this.#refused).set(key, true);
    return ok;
  }
}

const hashAlways = async (): Promise<boolean> => true;
