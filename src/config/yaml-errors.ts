/**
 * A YAML syntax error as an operator can act on it: one problem (the first error; the parser's later ones
 * mostly follow from it), at the line and column where the mistake is, with that line and a caret. A flow
 * collection that is never closed is reported where it opens, not where the parser gave up on it.
 */
import type { YAMLError } from 'yaml';

const CLOSERS: Record<string, string> = { '{': '}', '[': ']' };

/** The innermost `{` or `[` still open at `offset`, skipping quoted strings and comments; undefined if none. */
function unclosedOpener(text: string, offset: number): { char: string; at: number } | undefined {
  const stack: { char: string; at: number }[] = [];
  for (let i = 0; i < offset && i < text.length; i += 1) {
    const c = text[i]!;
    const before = i === 0 ? '\n' : text[i - 1]!;
    if (c === '#' && /\s/.test(before)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if ((c === "'" || c === '"') && /[\s[{,:]/.test(before)) {
      // A quoted scalar; '' escapes a single quote, \ escapes in double quotes.
      for (i += 1; i < offset && i < text.length; i += 1) {
        if (c === '"' && text[i] === '\\') i += 1;
        else if (text[i] === c && !(c === "'" && text[i + 1] === "'")) break;
        else if (c === "'" && text[i] === "'") i += 1;
      }
    } else if (c === '{' || c === '[') {
      stack.push({ char: c, at: i });
    } else if ((c === '}' || c === ']') && stack.at(-1) && CLOSERS[stack.at(-1)!.char] === c) {
      stack.pop();
    }
  }
  return stack.at(-1);
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** `file:line:col: what`, then the line and a caret under the column, indented. */
export function describeYamlError(text: string, error: YAMLError, shown: string): string {
  let offset = error.pos[0];
  let what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (/end with an? [}\]]/.test(what)) {
    const opener = unclosedOpener(text, offset);
    if (opener) {
      offset = opener.at;
      what = `"${opener.char}" is never closed (a "${CLOSERS[opener.char]}" is missing)`;
    }
  }
  const { line, col } = lineAndColumn(text, offset);
  const source = text.split('\n')[line - 1] ?? '';
  return `${shown}:${line}:${col}: ${what}\n    ${source}\n    ${' '.repeat(Math.max(0, col - 1))}^`;
}
