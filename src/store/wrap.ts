/**
 * An object that answers like `target`, except for the methods in `overrides`. Every other method is
 * bound to the target itself (stores keep #private state, which a prototype chain would not reach), so
 * a method added to the interface later passes through untouched. A bound method is made once per key
 * and reused (rebound only if the target's method itself changed), not once per call.
 */
export function wrapWith<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<string | symbol, { method: (...args: unknown[]) => unknown; bound: (...args: unknown[]) => unknown }>();
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const cached = bound.get(key);
      if (cached?.method === method) return cached.bound;
      const fresh = { method, bound: method.bind(object) };
      bound.set(key, fresh);
      return fresh.bound;
    },
  });
}
