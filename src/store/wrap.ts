/**
 * An object that answers like `target`, except for the methods in `overrides`. Every other method is
 * bound to the target itself (stores keep #private state, which a prototype chain would not reach), so
 * a method added to the interface later passes through untouched.
 */
export function wrapWith<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
