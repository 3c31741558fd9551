/**
 * The read side of a plugin: where each native field is in a record an operation answers. Search results
 * and single reads often wrap every attribute (`{"attributes": {"email": {"label": …, "value": …}}}`),
 * unlike the bodies written; each reading operation says so with `fields`, and every reader — the
 * adoption match, toScim, the active flag, a read-back — sees the same view: native field name → value.
 */
import type { JsonObject } from '../store/types.js';
import { getNative, setNative } from './native-paths.js';
import type { ReadView } from './types.js';

const FIELD = '{field}';

export interface ReadFields {
  /** `'*'`: e.g. `attributes.{field}.value`. */
  pattern?: string;
  /** One field's own path. */
  paths: ReadonlyMap<string, string>;
}

/** Checks `fields` (from plugin.yaml); returns the problems, each with the key it is about. */
export function checkReadFields(fields: Record<string, string>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  for (const [key, path] of Object.entries(fields)) {
    const count = path.split(FIELD).length - 1;
    if (key === '*' && count !== 1) problems.push({ key, message: `the pattern must contain ${FIELD} once (e.g. "attributes.${FIELD}.value")` });
    if (key !== '*' && count !== 0) problems.push({ key, message: `${FIELD} only belongs in the "*" pattern` });
    const literal = path.replace(FIELD, 'x');
    if (literal.split('.').some((s) => s === '' || s === '__proto__' || s === 'constructor' || s === 'prototype')) {
      problems.push({ key, message: `"${path}" is not a dotted path` });
    }
  }
  return problems;
}

export function readFieldsOf(fields: Record<string, string> | undefined): ReadFields | undefined {
  if (!fields) return undefined;
  const { '*': pattern, ...paths } = fields;
  return { ...(pattern === undefined ? {} : { pattern }), paths: new Map(Object.entries(paths)) };
}

/** Whether the read side can give `field` (without `fields`, every field is read where it is named). */
export function provides(fields: ReadFields | undefined, field: string): boolean {
  return !fields || fields.pattern !== undefined || fields.paths.has(field);
}

/** Where `field` is read from in a record. */
export function pathOf(fields: ReadFields | undefined, field: string): string | undefined {
  if (!fields) return field;
  return fields.paths.get(field) ?? fields.pattern?.replace(FIELD, field);
}

/**
 * The view of an operation's records. `needed` are the native fields the plugin reads (known at load);
 * without `fields` the record is its own view.
 */
export function compileReadView(fields: ReadFields | undefined, needed: readonly string[]): ReadView {
  if (!fields) return (record) => record;
  const plan = needed.flatMap((field) => {
    const path = pathOf(fields, field);
    return path === undefined ? [] : [[field, path] as const];
  });
  return (record) => {
    const view: JsonObject = {};
    for (const [field, path] of plan) {
      const value = getNative(record, path);
      if (value !== undefined) setNative(view, field, value);
    }
    return view;
  };
}
