/**
 * The dialect at the door: a write's body is turned into strict RFC 7644 before anything else sees it,
 * so the resource service and every connector behind it (store, rest, scim) receive what a strict client
 * would have sent. `explain` calls the same function, so it cannot disagree with the gateway.
 */
import type { Dialect, DialectContext } from '../dialect/types.js';
import { PATCH_OP_SCHEMA } from '../scim/patch/operation.js';

export type WriteKind = 'resource' | 'patch';

/** A POST/PUT body RFC-shaped (still unvalidated), or a PATCH body as a strict PatchOp message. */
export function strictBody(dialect: Dialect, ctx: DialectContext, kind: WriteKind, body: unknown): unknown {
  if (kind === 'resource') return dialect.normalizeResource(body, ctx);
  return { schemas: [PATCH_OP_SCHEMA], Operations: dialect.normalizePatch(body, ctx) };
}
