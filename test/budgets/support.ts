/** Helpers shared by the budget tests. */

/** Lets every settled promise chain run (no I/O involved in the unit tests). */
export const drain = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

/** The most starts that fall in any half-open window [t, t + windowMs). */
export function busiestWindow(starts: number[], windowMs: number): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s >= t && s < t + windowMs).length));
}

