/**
 * Templates in native operations: paths (`/user/{id}/`), query values and JSON bodies (`{value}`,
 * `{today}`), and the `Location` header a new id is read from (`/employees/{id}`). Parameters are
 * checked against what each operation offers when the plugin loads. A path parameter is always
 * URL-encoded into exactly one segment: an id such as `../../admin` or `a/b?c` cannot leave it.
 */
import { invalidValue } from '../scim/errors.js';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

type Part = { text: string } | { param: string };

export interface PathTemplate {
  text: string;
  parts: Part[];
}

function split(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ param: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function unknownParams(parts: Part[], allowed: readonly string[]): string[] {
  return parts.flatMap((p) => ('param' in p && !allowed.includes(p.param) ? [p.param] : []));
}

const describeAllowed = (allowed: readonly string[]) => (allowed.length ? allowed.map((a) => `{${a}}`).join(', ') : 'none');

/** Compiles a path template; throws an Error saying what is wrong. */
export function compilePathTemplate(text: string, allowed: readonly string[]): PathTemplate {
  const parts = split(text);
  const unknown = unknownParams(parts, allowed);
  if (unknown.length) throw new Error(`unknown parameter {${unknown[0]}} in "${text}" (this operation offers ${describeAllowed(allowed)})`);
  for (const p of parts) {
    if ('text' in p && /[?#{}\s]/.test(p.text)) throw new Error(`"${text}": a path has no "?", "#", braces or spaces outside its parameters (put query parameters under "query")`);
  }
  const literal = parts.map((p) => ('text' in p ? p.text : 'x')).join('');
  if (literal.split('/').some((s) => s === '.' || s === '..') || literal.includes('//')) {
    throw new Error(`"${text}": a path has no "." or ".." segments and no "//"`);
  }
  return { text, parts };
}

/** The path with every parameter URL-encoded; a value that would be a dot segment or empty is refused. */
export function renderPath(template: PathTemplate, params: Readonly<Record<string, string>>): string {
  return template.parts
    .map((p) => {
      if ('text' in p) return p.text;
      const value = params[p.param] ?? '';
      // '.' and '..' survive encodeURIComponent and would be resolved by URL parsing: never a segment.
      if (value === '' || value === '.' || value === '..') throw invalidValue(`"${value}" cannot identify a native record`);
      return encodeURIComponent(value);
    })
    .join('');
}

/** Placeholders in the strings of a JSON value (query values, bodies) that are not `allowed`. */
export function unknownValueParams(value: unknown, allowed: readonly string[], depth = 0): string[] {
  if (depth > 32) return [];
  if (typeof value === 'string') return unknownParams(split(value), allowed);
  if (Array.isArray(value)) return value.flatMap((v) => unknownValueParams(v, allowed, depth + 1));
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap((v) => unknownValueParams(v, allowed, depth + 1));
  return [];
}

/** Throws an Error naming the first unknown placeholder in a query or body template. */
export function checkValueTemplate(value: unknown, allowed: readonly string[]): void {
  const unknown = unknownValueParams(value, allowed);
  if (unknown.length) throw new Error(`unknown parameter {${unknown[0]}} (this operation offers ${describeAllowed(allowed)})`);
}

/** A copy of a JSON template with placeholders in its strings replaced (no encoding: JSON and URLSearchParams do that). */
export function renderValue(value: unknown, params: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (whole, name: string) => params[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, params));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, params);
    return out;
  }
  return value;
}

/** Reads the new id from a `Location` header with a template such as `/employees/{id}` (matched at the end of the path). */
export interface LocationTemplate {
  text: string;
  pattern: RegExp;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileLocationTemplate(text: string): LocationTemplate {
  const parts = split(text);
  const params = parts.filter((p) => 'param' in p);
  if (params.length !== 1 || !('param' in params[0]!) || params[0].param !== 'id') {
    throw new Error(`"${text}" must contain {id} once and no other parameter`);
  }
  // One segment for the id, literal text around it: linear matching, no plugin-written regex.
  const source = parts.map((p) => ('text' in p ? escapeRegex(p.text) : '([^/?#]+)')).join('');
  return { text, pattern: new RegExp(`${source}/?$`) };
}

/** The id in a Location header value (absolute or relative URL), or undefined. */
export function idFromLocation(template: LocationTemplate, location: string): string | undefined {
  if (location.length > 2048) return undefined; // no URL of ours is that long; bounds the matching work
  let pathname: string;
  try {
    pathname = new URL(location, 'http://native.invalid').pathname;
  } catch {
    return undefined;
  }
  const m = template.pattern.exec(pathname);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}
