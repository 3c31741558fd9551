/**
 * How deep a JSON value nests. SCIM values nest a few levels (a PatchOp body → Operations → operation →
 * extension → manager → value is six); the door refuses bodies deeper than `server.maxJsonDepth` before any
 * recursive code sees them, and code that copies client values refuses anything past MAX_JSON_DEPTH.
 */

/** The deepest nesting any part of the gateway accepts; `server.maxJsonDepth` may be set up to this. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` has more than `limit` levels of arrays and objects (`"x"` has none, `[]` one,
 * `{"a": [1]}` two). Iterative, and it stops at the first path past the limit, so a hostile value costs
 * no stack and at most one walk.
 */
export function nestingDepthExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return false;
}
