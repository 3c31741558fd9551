/**
 * Runs work one at a time per key. Two creates of the same userName arriving together would otherwise
 * both find nothing in the store and both create a native record; with the lock the second sees the
 * first's result (409) — within this process. (Several replicas rely on the downstream API's own
 * uniqueness and on adoption; the store's unique index still holds across them.)
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
