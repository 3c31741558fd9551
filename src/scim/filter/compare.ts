/**
 * How one attribute value compares with one filter value, by the attribute's type (RFC 7644 §3.4.2.2):
 * strings by code unit, case-folded unless caseExact; dateTimes as instants; numbers numerically;
 * booleans by equality only. A value of the wrong type never matches (and so `ne` it always does).
 */

import { foldCase } from '../../store/types.js';
import type { AttributeDefinition } from '../schemas/types.js';
import type { CompareOp, FilterValue } from './ast.js';

/** xsd:dateTime (RFC 7643 §2.3.5); a date alone means its midnight. Each part is fixed-width, so matching is linear. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?$/;

/**
 * The instant a dateTime string denotes, in epoch milliseconds, or undefined when it is not one.
 * A time without a zone is taken as UTC: `Date.parse` would take it as the server's local time, and
 * then the answer would depend on where the gateway runs.
 */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 onto 1900-1999
  if (date.getUTCDate() !== day) return undefined; // 31 February rolled over
  let offset = 0;
  if (m[9] !== undefined) {
    const h = Number(m[10]);
    const min = Number(m[11]);
    if (h > 23 || min > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (h * 60 + min) * 60_000;
  }
  return date.getTime() - offset;
}

/** Booleans, and the strings "true"/"false" in any case: Entra sends "True" and "False" (ENTRA.md #10). */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lowered = value.toLowerCase();
  return lowered === 'true' ? true : lowered === 'false' ? false : undefined;
}

function ordered(op: CompareOp, cmp: number): boolean {
  switch (op) {
    case 'eq':
      return cmp === 0;
    case 'gt':
      return cmp > 0;
    case 'ge':
      return cmp >= 0;
    case 'lt':
      return cmp < 0;
    case 'le':
      return cmp <= 0;
    default:
      return false;
  }
}

const sign = <T extends string | number>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether the attribute value `actual` satisfies `actual op expected`; `expected` is not null. */
export function compareValue(actual: unknown, op: CompareOp, expected: Exclude<FilterValue, null>, def: AttributeDefinition): boolean {
  if (op === 'ne') return !compareValue(actual, 'eq', expected, def);
  switch (def.type) {
    case 'boolean': {
      const a = asBoolean(actual);
      return op === 'eq' && a !== undefined && a === asBoolean(expected);
    }
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' && typeof expected === 'number' && ordered(op, sign(actual, expected));
    case 'dateTime': {
      const a = parseInstant(actual);
      const e = parseInstant(expected);
      return a !== undefined && e !== undefined && ordered(op, sign(a, e));
    }
    case 'complex':
      return false;
    default: {
      // string, reference, binary
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      const a = def.caseExact ? actual : foldCase(actual);
      const e = def.caseExact ? expected : foldCase(expected);
      if (op === 'co') return a.includes(e);
      if (op === 'sw') return a.startsWith(e);
      if (op === 'ew') return a.endsWith(e);
      return ordered(op, sign(a, e));
    }
  }
}
