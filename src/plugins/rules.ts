/**
 * Checks a plugin's json-logic rule once, at load, so a mistake fails start-up rather than the first
 * request: every operation must be known (json-logic's, minus `log`, plus ours), our operations get the
 * right number of arguments, every `var` must name something the rule's data has (via the checker the
 * caller gives), and lookup tables must exist. Returns the rule with table names replaced by the tables.
 */
import { BUILTIN_OPERATIONS, CUSTOM_OPERATIONS, SCOPED_OPERATIONS, checkLiteralArguments, type TableRef } from './operations.js';

export interface RuleProblem {
  /** Path inside the rule, e.g. ['format_date', 0, 'var']. */
  path: (string | number)[];
  message: string;
}

export interface RuleContext {
  /** Why a `var` path is unknown, or undefined when the rule's data has it. */
  checkVar(path: string): string | undefined;
  tables: ReadonlyMap<string, Record<string, unknown>>;
}

const MAX_DEPTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compiles `rule`; problems are pushed to `problems` (the rule returned is then not to be used). */
export function compileRule(rule: unknown, ctx: RuleContext, problems: RuleProblem[]): unknown {
  return walk(rule, [], ctx, problems, true, 0);
}

function walk(
  node: unknown,
  path: (string | number)[],
  ctx: RuleContext,
  problems: RuleProblem[],
  checkVars: boolean,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH) {
    problems.push({ path, message: `a rule is nested more than ${MAX_DEPTH} levels deep` });
    return node;
  }
  if (Array.isArray(node)) return node.map((n, i) => walk(n, [...path, i], ctx, problems, checkVars, depth + 1));
  if (!isObject(node)) return node;

  const keys = Object.keys(node);
  if (keys.length !== 1) {
    problems.push({
      path,
      message: `a rule object has exactly one key, its operation (found ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')})`,
    });
    return node;
  }
  const op = keys[0]!;
  const raw = node[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const at = [...path, op];

  if (!BUILTIN_OPERATIONS.has(op) && !Object.hasOwn(CUSTOM_OPERATIONS, op)) {
    problems.push({ path: at, message: `unknown operation "${op}"` });
    return node;
  }

  if (op === 'var') {
    const [name, fallback] = args;
    if (checkVars && (typeof name === 'string' || typeof name === 'number')) {
      const why = ctx.checkVar(String(name));
      if (why) problems.push({ path: at, message: why });
    }
    const compiledName = typeof name === 'object' ? walk(name, [...at, 0], ctx, problems, checkVars, depth + 1) : name;
    return { var: args.length > 1 ? [compiledName, walk(fallback, [...at, 1], ctx, problems, checkVars, depth + 1)] : [compiledName] };
  }

  const custom = CUSTOM_OPERATIONS[op];
  if (custom && (args.length < custom.min || args.length > custom.max)) {
    const wanted = custom.min === custom.max ? `${custom.min}` : `${custom.min} to ${custom.max}`;
    problems.push({ path: at, message: `"${op}" takes ${wanted} argument(s), found ${args.length}` });
    return node;
  }
  const literal = checkLiteralArguments(op, args);
  if (literal) problems.push({ path: at, message: literal });

  const compiled = args.map((arg, i) => {
    if (op === 'lookup' && i === 1) return tableArgument(arg, [...at, i], ctx, problems);
    // The second argument of map/filter/... sees each element, not the rule's data: its vars are free.
    const scoped = SCOPED_OPERATIONS.has(op) && i === 1;
    return walk(arg, [...at, i], ctx, problems, checkVars && !scoped, depth + 1);
  });
  return { [op]: compiled };
}

function tableArgument(arg: unknown, path: (string | number)[], ctx: RuleContext, problems: RuleProblem[]): TableRef | unknown {
  if (typeof arg !== 'string') {
    problems.push({ path, message: 'the table of "lookup" must be the name of a table under "tables"' });
    return arg;
  }
  const entries = ctx.tables.get(arg);
  if (!entries) {
    const known = [...ctx.tables.keys()];
    problems.push({ path, message: `unknown table "${arg}"${known.length ? ` (tables: ${known.join(', ')})` : ' (the plugin has no "tables")'}` });
    return arg;
  }
  const ref: TableRef = { table: arg, entries };
  return ref;
}
