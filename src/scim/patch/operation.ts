/**
 * The PatchOp request message of RFC 7644 §3.5.2: its envelope checked, its operations made plain.
 * Dialects build on this; the engine (../patch.ts) consumes its output.
 */
import { invalidPath, invalidSyntax } from '../errors.js';
import { getAttr, isObject } from './json.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A guard on work per request; a body this large is abuse, not provisioning. */
export const MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  /** Absent only on `remove`; `null` means "unassigned" (RFC 7643 §2.5). */
  value?: unknown;
}

const OP_NAMES: ReadonlySet<string> = new Set(['add', 'replace', 'remove']);

/**
 * Checks the envelope (`schemas` holds the PatchOp URN, `Operations` is a non-empty array of at most
 * `maxOperations` (MAX_PATCH_OPERATIONS from a client) objects) and returns each operation as {op, path?, value?}. Member names and
 * `op` values are matched ignoring case: RFC 7644 §3.10 makes names case-insensitive and clients
 * (Entra: `Add`/`Replace`/`Remove`) rely on it for `op` too.
 */
export function parsePatchMessage(body: unknown, maxOperations = MAX_PATCH_OPERATIONS): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('PATCH body must be a JSON object');
  const schemas = getAttr(body, 'schemas');
  const wanted = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === wanted)) {
    throw invalidSyntax(`PATCH body must list the schema ${PATCH_OP_SCHEMA}`);
  }
  const operations = getAttr(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('PATCH body must carry a non-empty "Operations" array');
  }
  if (operations.length > maxOperations) {
    throw invalidSyntax(`PATCH body carries more than ${maxOperations} operations`);
  }
  return operations.map((raw, i) => parseOperation(raw, i));
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw invalidSyntax(`${where} must be an object`);
  const opRaw = getAttr(raw, 'op');
  const op = typeof opRaw === 'string' ? opRaw.toLowerCase() : undefined;
  if (op === undefined || !OP_NAMES.has(op)) {
    throw invalidSyntax(`${where}.op must be "add", "replace" or "remove"`);
  }
  const out: PatchOperation = { op: op as PatchOpName };

  const path = getAttr(raw, 'path');
  if (path !== undefined && path !== null) {
    if (typeof path !== 'string' || path.trim() === '') throw invalidPath(`${where}.path must be a non-empty string`);
    out.path = path;
  }

  const valueKey = Object.keys(raw).find((k) => k.toLowerCase() === 'value');
  if (valueKey !== undefined) out.value = raw[valueKey];
  else if (op !== 'remove') throw invalidSyntax(`${where} (${op}) must carry a "value"`);
  return out;
}
