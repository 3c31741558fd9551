/**
 * The RFC-only dialect: resource bodies pass unchanged and PATCH gets only the PatchOp envelope check.
 * `op` is still matched ignoring case, as every SCIM name is (RFC 7644 §3.10) and as clients expect.
 */
import { parsePatchMessage } from '../scim/patch/operation.js';
import type { Dialect } from './types.js';

export const strictDialect: Dialect = {
  name: 'strict',
  normalizeResource: (body) => body,
  normalizePatch: (body) => parsePatchMessage(body),
};
