/**
 * Tokens of the RFC 7644 §3.4.2.2 filter language (and of §3.5.2 PATCH paths, which embed it).
 *
 * A single forward scan, no regular expressions over client text: a word is a run of characters up to
 * whitespace, a bracket, a parenthesis or a quote, so `urn:…:2.0:User:manager.value`, `eq` and `-1.5e3`
 * are each one word; the parser decides what a word is. Strings are JSON strings.
 */

import type { ScimError } from '../errors.js';

export type Token =
  | { kind: '(' | ')' | '[' | ']' | 'end'; pos: number }
  | { kind: 'string'; pos: number; value: string }
  | { kind: 'word'; pos: number; text: string };

/** Builds the error a malformed input raises: invalidFilter for filters, invalidPath for PATCH paths. */
export type Fail = (detail: string) => ScimError;

/** Positions in messages are 1-based, as a person counts characters. */
export const at = (pos: number): string => `at position ${pos + 1}`;

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDelimiter = (c: string) => c === '(' || c === ')' || c === '[' || c === ']' || c === '"';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function hexValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Reads the JSON string whose opening quote is at `start`; returns its value and the index after it. */
function readString(text: string, start: number, fail: Fail): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c.charCodeAt(0) < 0x20) throw fail(`control character in string ${at(i)}; escape it`);
    if (c !== '\\') {
      out += c;
      i += 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (e !== 'u') throw fail(`invalid escape "\\${e}" in string ${at(i)}`);
    let code = 0;
    for (let k = 2; k < 6; k++) {
      const h = text[i + k];
      const v = h === undefined ? -1 : hexValue(h);
      if (v < 0) throw fail(`invalid \\u escape in string ${at(i)}: four hex digits expected`);
      code = code * 16 + v;
    }
    out += String.fromCharCode(code);
    i += 6;
  }
  throw fail(`unterminated string starting ${at(start)}`);
}

/** Splits `text` into tokens, ending with an `end` token. Throws `fail(...)` on a malformed string. */
export function tokenize(text: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, pos: i });
      i += 1;
    } else if (c === '"') {
      const { value, end } = readString(text, i, fail);
      tokens.push({ kind: 'string', pos: i, value });
      i = end;
    } else {
      const start = i;
      while (i < text.length && !isSpace(text[i]!) && !isDelimiter(text[i]!)) i += 1;
      tokens.push({ kind: 'word', pos: start, text: text.slice(start, i) });
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}
