/**
 * The named transforms a plugin's json-logic rules may use, on top of json-logic's own operations:
 * dates, case, join/split, trim, lookup tables and defaults. A value a transform cannot handle (a start
 * date that is not ISO 8601) is the client's mistake, reported as a MappingError the connector turns
 * into a SCIM 400.
 */
import jsonLogic from 'json-logic-js';
import { checkLayout, formatDate, fromUnixSeconds, isoDate, parseIsoDate, parseLayoutDate, unixSeconds } from './dates.js';

/** A value the mapping cannot turn into what the native API needs. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** A lookup table as rules carry it after compilation (two keys, so json-logic treats it as data). */
export interface TableRef {
  table: string;
  entries: Record<string, unknown>;
}

const isBlank = (v: unknown) => v === null || v === undefined || v === '';

const describe = (v: unknown) => (typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v);

/** Each operation: its function and how many arguments it takes. */
export const CUSTOM_OPERATIONS: Record<string, { min: number; max: number; fn: (...args: unknown[]) => unknown }> = {
  /** ISO 8601 date or dateTime (any form) → the layout, e.g. `MM/DD/YYYY`. Blank stays null. */
  format_date: {
    min: 2,
    max: 2,
    fn: (value, layout) => {
      if (isBlank(value)) return null;
      const date = typeof value === 'string' ? parseIsoDate(value) : undefined;
      if (!date) throw new MappingError(`${describe(value)} is not an ISO 8601 date`);
      return formatDate(date, String(layout));
    },
  },
  /** A date in the layout (or already ISO 8601) → `YYYY-MM-DD`. Blank stays null. */
  parse_date: {
    min: 2,
    max: 2,
    fn: (value, layout) => {
      if (isBlank(value)) return null;
      const text = String(value);
      const date = parseLayoutDate(text, String(layout)) ?? parseIsoDate(text);
      if (!date) throw new MappingError(`${describe(value)} is not a date in the layout ${String(layout)}`);
      return isoDate(date);
    },
  },
  /** ISO 8601 date or dateTime → seconds since the epoch at the start (UTC) of that calendar date. Blank stays null. */
  to_timestamp: {
    min: 1,
    max: 1,
    fn: (value) => {
      if (isBlank(value)) return null;
      const date = typeof value === 'string' ? parseIsoDate(value) : undefined;
      if (!date) throw new MappingError(`${describe(value)} is not an ISO 8601 date`);
      return unixSeconds(date);
    },
  },
  /** A Unix timestamp in seconds (a number or digits) → `YYYY-MM-DD` (UTC). Blank stays null. */
  from_timestamp: {
    min: 1,
    max: 1,
    fn: (value) => {
      if (isBlank(value)) return null;
      const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
      const date = fromUnixSeconds(seconds);
      if (!date) throw new MappingError(`${describe(value)} is not a Unix timestamp`);
      return isoDate(date);
    },
  },
  lower: { min: 1, max: 1, fn: (v) => (typeof v === 'string' ? v.toLowerCase() : v) },
  upper: { min: 1, max: 1, fn: (v) => (typeof v === 'string' ? v.toUpperCase() : v) },
  trim: { min: 1, max: 1, fn: (v) => (typeof v === 'string' ? v.trim() : v) },
  /** A string split at `separator`, empty parts dropped; blank → []. */
  split: {
    min: 2,
    max: 2,
    fn: (v, separator) => (isBlank(v) ? [] : String(v).split(String(separator)).filter((s) => s !== '')),
  },
  /** The non-blank elements joined with `separator`; a non-array is returned as it is. */
  join: {
    min: 2,
    max: 2,
    fn: (v, separator) => (Array.isArray(v) ? v.filter((x) => !isBlank(x)).map(String).join(String(separator)) : v),
  },
  /** `fallback` when `value` is null, missing or "". */
  default: { min: 2, max: 2, fn: (v, fallback) => (isBlank(v) ? fallback : v) },
  /** The table's entry for `value`; else `fallback` when given; else a MappingError. Blank stays null. */
  lookup: {
    min: 2,
    max: 3,
    fn: (...args) => {
      const [value, table, ...rest] = args;
      if (isBlank(value)) return null;
      const ref = table as TableRef;
      const key = String(value);
      if (Object.hasOwn(ref.entries, key)) return ref.entries[key];
      if (rest.length > 0) return rest[0];
      throw new MappingError(`${describe(value)} has no entry in the table "${ref.table}"`);
    },
  },
};

for (const [name, op] of Object.entries(CUSTOM_OPERATIONS)) jsonLogic.add_operation(name, op.fn);

/**
 * json-logic's own operations a plugin may use. `log` (writes to the console) is left out, as is any
 * operation a library version might add: a rule can only name what this list and ours contain.
 */
export const BUILTIN_OPERATIONS = new Set([
  'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and',
  '>', '>=', '<', '<=', 'max', 'min', '+', '-', '*', '/', '%', 'map', 'filter', 'reduce', 'all', 'none',
  'some', 'merge', 'in', 'cat', 'substr',
]);

/** Operations whose second argument runs against each element, not against the rule's data. */
export const SCOPED_OPERATIONS = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

/** Date layouts given as literal arguments are checked at load time. */
export function checkLiteralArguments(op: string, args: unknown[]): string | undefined {
  if ((op === 'format_date' || op === 'parse_date') && typeof args[1] === 'string') return checkLayout(args[1]);
  return undefined;
}

/** Evaluates a compiled rule; any failure inside becomes a MappingError. */
export function evaluateRule(rule: unknown, data: unknown): unknown {
  try {
    return jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], data);
  } catch (error) {
    if (error instanceof MappingError) throw error;
    throw new MappingError(`a rule failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
