/**
 * Parsers for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths, producing the trees of ast.ts.
 *
 * Recursive descent with one function per precedence level (or < and < not/grouping). Recursion only
 * happens through "(", "not (" and "[", and those are counted against MAX_DEPTH; the input length and
 * the number of attribute expressions are capped too, so hostile input cannot exhaust the stack or
 * build trees too deep for a store's query compiler (SQLite refuses expressions deeper than 1000).
 */

import { invalidFilter, invalidPath } from '../errors.js';
import type { AttrPathRef, CompareOp, FilterNode, FilterValue, PatchPath } from './ast.js';
import { at, tokenize, type Fail, type Token } from './lexer.js';

/** Longest filter or path accepted, in characters. */
export const MAX_FILTER_LENGTH = 8192;
/** Deepest nesting of "(", "not (" and "[". */
export const MAX_FILTER_DEPTH = 64;
/** Most attribute expressions (`a eq 1`, `a pr`) in one filter. */
export const MAX_FILTER_TERMS = 200;

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/** JSON number grammar; each part is delimited by a distinct character, so matching is linear. */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const isAlpha = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isDigit = (code: number) => code >= 48 && code <= 57;

/** ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; `$ref` is the RFC's one exception. */
function isAttrName(s: string): boolean {
  if (s.toLowerCase() === '$ref') return true;
  if (s.length === 0 || !isAlpha(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (!isAlpha(code) && !isDigit(code) && code !== 45 && code !== 95) return false;
  }
  return true;
}

/** A URN (or other colon-separated URI): a scheme, then segments that are neither empty nor odd. */
function isSchemaUri(s: string): boolean {
  const segments = s.split(':');
  if (segments.length < 2 || !isAttrName(segments[0]!) || segments[0] === '$ref') return false;
  return segments.every((seg) => {
    if (seg.length === 0) return false;
    for (let i = 0; i < seg.length; i++) {
      const code = seg.charCodeAt(i);
      // ALPHA DIGIT - . _ + % ~ : the characters schema URNs use ("2.0", "15Five").
      if (!isAlpha(code) && !isDigit(code) && !'-._+%~'.includes(seg[i]!)) return false;
    }
    return true;
  });
}

/**
 * Splits `[uri ":"] name ["." sub]`. A URI-qualified path is split at its last ':', so the URI keeps its
 * own dots (`…:enterprise:2.0:User:manager.value`) and a whole schema URN reads as uri + name
 * (`…:enterprise:2.0` + `User`), which the registry's extensionSchemaOfPath recognises.
 */
function splitAttrPath(text: string): AttrPathRef | undefined {
  const colon = text.lastIndexOf(':');
  const uri = colon < 0 ? undefined : text.slice(0, colon);
  if (uri !== undefined && !isSchemaUri(uri)) return undefined;
  const parts = text.slice(colon + 1).split('.');
  if (parts.length > 2 || !parts.every(isAttrName)) return undefined;
  const ref: AttrPathRef = { name: parts[0]! };
  if (uri !== undefined) ref.uri = uri;
  if (parts[1] !== undefined) ref.sub = parts[1];
  return ref;
}

/** Client text quoted into a message, shortened so an error never echoes kilobytes back. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of input';
    case 'string':
      return `string ${quote(token.value)}`;
    case 'word':
      return quote(token.text);
    default:
      return `"${token.kind}"`;
  }
}

/** Filter text must be one string of bounded size; express hands an array for a repeated parameter. */
function checkInput(text: unknown, what: string, fail: Fail): asserts text is string {
  if (typeof text !== 'string') throw fail(`${what} must be a single string`);
  if (text.length > MAX_FILTER_LENGTH) throw fail(`${what} is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.trim() === '') throw fail(`${what} is empty`);
}

class Parser {
  private index = 0;
  private depth = 0;
  private terms = 0;
  private inValuePath = false;

  constructor(
    private readonly tokens: Token[],
    private readonly fail: Fail,
  ) {}

  peek(): Token {
    return this.tokens[this.index]!;
  }

  next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private expect(kind: ')' | ']', opened: Token): void {
    const token = this.next();
    if (token.kind !== kind) {
      throw this.fail(`expected "${kind}" ${at(token.pos)} to close "${opened.kind}" ${at(opened.pos)}, found ${describe(token)}`);
    }
  }

  private enter(token: Token): void {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) throw this.fail(`filter nested deeper than ${MAX_FILTER_DEPTH} levels ${at(token.pos)}`);
  }

  /** FILTER = term *("or" term) where term is an and-chain: "and" binds tighter than "or". */
  parseOr(): FilterNode {
    let node = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      node = { kind: 'or', left: node, right: this.parseAnd() };
    }
    return node;
  }

  private parseAnd(): FilterNode {
    let node = this.parseTerm();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      node = { kind: 'and', left: node, right: this.parseTerm() };
    }
    return node;
  }

  /** "(" FILTER ")" / "not" "(" FILTER ")" / attrExp / valuePath. */
  private parseTerm(): FilterNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      this.enter(token);
      const inner = this.parseOr();
      this.expect(')', token);
      this.depth -= 1;
      return inner;
    }
    if (token.kind !== 'word') throw this.fail(`expected an attribute path ${at(token.pos)}, found ${describe(token)}`);
    const keyword = token.text.toLowerCase();
    if (keyword === 'not') {
      this.next();
      const open = this.peek();
      if (open.kind !== '(') throw this.fail(`"not" ${at(token.pos)} must be followed by a filter in parentheses`);
      this.next();
      this.enter(open);
      const inner = this.parseOr();
      this.expect(')', open);
      this.depth -= 1;
      return { kind: 'not', filter: inner };
    }
    if (keyword === 'and' || keyword === 'or') throw this.fail(`expected an attribute path ${at(token.pos)}, found "${token.text}"`);
    return this.parseAttrExp();
  }

  /** The path word at the current token. */
  parsePath(): AttrPathRef {
    const token = this.next();
    if (token.kind !== 'word') throw this.fail(`expected an attribute path ${at(token.pos)}, found ${describe(token)}`);
    const path = splitAttrPath(token.text);
    if (!path) throw this.fail(`invalid attribute path ${quote(token.text)} ${at(token.pos)}`);
    return path;
  }

  /** `attr[valFilter]`; the caller has checked that "[" follows. */
  parseValueFilter(path: AttrPathRef): FilterNode {
    const open = this.next();
    if (this.inValuePath) throw this.fail(`value filters cannot be nested ${at(open.pos)}`);
    if (path.sub !== undefined) throw this.fail(`a value filter applies to an attribute, not to the sub-attribute "${path.sub}" ${at(open.pos)}`);
    this.enter(open);
    this.inValuePath = true;
    const inner = this.parseOr();
    this.inValuePath = false;
    this.expect(']', open);
    this.depth -= 1;
    return inner;
  }

  private parseAttrExp(): FilterNode {
    const path = this.parsePath();
    if (this.peek().kind === '[') {
      const filter = this.parseValueFilter(path);
      const after = this.peek();
      if (after.kind === 'word' && after.text.startsWith('.')) {
        throw this.fail(`a sub-attribute after "]" ${at(after.pos)} is not allowed in a filter; use "attr[filter]" alone`);
      }
      return { kind: 'valuePath', path, filter };
    }
    const opToken = this.next();
    if (opToken.kind !== 'word') throw this.fail(`expected an operator ${at(opToken.pos)}, found ${describe(opToken)}`);
    const op = opToken.text.toLowerCase();
    this.terms += 1;
    if (this.terms > MAX_FILTER_TERMS) throw this.fail(`filter has more than ${MAX_FILTER_TERMS} attribute expressions`);
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) throw this.fail(`unknown operator ${quote(opToken.text)} ${at(opToken.pos)}`);
    return { kind: 'compare', path, op: op as CompareOp, value: this.parseValue(op) };
  }

  /** compValue = false / null / true / number / string. */
  private parseValue(op: string): FilterValue {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'end') throw this.fail(`missing value after "${op}" ${at(token.pos)}`);
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      if (JSON_NUMBER.test(token.text)) {
        const n = Number(token.text);
        if (Number.isFinite(n)) return n;
        throw this.fail(`number ${quote(token.text)} ${at(token.pos)} is out of range`);
      }
    }
    throw this.fail(`expected a value (string, number, true, false or null) ${at(token.pos)}, found ${describe(token)}`);
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.fail(`unexpected ${describe(token)} ${at(token.pos)}`);
  }
}

/** Parses a `filter=` expression. Throws ScimError 400 invalidFilter on any syntax error. */
export function parseFilter(text: string): FilterNode {
  const fail: Fail = (detail) => invalidFilter(detail);
  checkInput(text, 'filter', fail);
  const parser = new Parser(tokenize(text, fail), fail);
  const node = parser.parseOr();
  parser.expectEnd();
  return node;
}

/**
 * Parses a PATCH operation's `path` (RFC 7644 §3.5.2): `attrPath / valuePath [subAttr]`.
 * Throws ScimError 400 invalidPath on any syntax error, including one inside the brackets.
 */
export function parsePatchPath(text: string): PatchPath {
  const fail: Fail = (detail) => invalidPath(detail);
  checkInput(text, 'path', fail);
  const parser = new Parser(tokenize(text, fail), fail);
  const attr = parser.parsePath();
  const result: PatchPath = { attr };
  if (parser.peek().kind === '[') {
    result.filter = parser.parseValueFilter(attr);
    const after = parser.peek();
    if (after.kind === 'word') {
      const sub = after.text.startsWith('.') ? after.text.slice(1) : undefined;
      if (sub === undefined || !isAttrName(sub)) throw fail(`invalid sub-attribute ${quote(after.text)} ${at(after.pos)}`);
      result.subAfterFilter = sub;
      parser.next();
    }
  }
  parser.expectEnd();
  return result;
}

/**
 * Parses one attribute path as used by `sortBy` and the `attributes` / `excludedAttributes` lists;
 * surrounding whitespace is ignored. Undefined when `text` is not a valid path.
 */
export function parseAttrPath(text: string): AttrPathRef | undefined {
  if (typeof text !== 'string' || text.length > MAX_FILTER_LENGTH) return undefined;
  return splitAttrPath(text.trim());
}
