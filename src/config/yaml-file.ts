/**
 * Reading the YAML files of the configuration and of plugins: one way to turn a syntax error, a schema
 * mistake or an unreadable file into problems that name the file and the path in it.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { attr, type AttributeDefinition, type SchemaDefinition } from '../scim/schemas/types.js';
import { extensionSchemaFile } from './schema.js';
import { describeYamlError } from './yaml-errors.js';

/** A file as messages show it: relative to the working directory when that is shorter. */
export const shownPath = (full: string): string => relative(process.cwd(), full) || full;

export const formatPath = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(top level)';

/** zod's issues as `file: path.in.file: what is wrong`. */
export function zodProblems(shown: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    // A record key that fails its own check: say why, not only "Invalid key in record".
    if (issue.code === 'invalid_key' && issue.issues[0]) message = `key: ${issue.issues[0].message}`;
    return `${shown}: ${formatPath(issue.path)}: ${message}`;
  });
}

/** Parses one YAML file (duplicate keys refused, aliases bounded); undefined with problems added on failure. */
export function readYamlFile(full: string, problems: string[]): unknown {
  const shown = shownPath(full);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    problems.push(`${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // One problem: the parser's later errors mostly follow from its first.
    problems.push(describeYamlError(text, first, shown));
    return undefined;
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function toAttribute(decl: z.output<typeof extensionSchemaFile>['attributes'][number]): AttributeDefinition {
  const { name, type, subAttributes, ...rest } = decl;
  const more: Partial<AttributeDefinition> = { ...rest };
  if (subAttributes) more.subAttributes = subAttributes.map((s) => toAttribute(s));
  return attr(name, type, more);
}

export interface LoadedSchema {
  schema: SchemaDefinition;
  resourceType: 'User' | 'Group';
}

/** Reads one extension schema file (RFC 7643 §7 form, as config/schemas/*.yaml). */
export function loadSchemaFile(full: string, problems: string[]): LoadedSchema | undefined {
  const raw = readYamlFile(full, problems);
  if (raw === undefined) return undefined;
  const parsed = extensionSchemaFile.safeParse(raw);
  if (!parsed.success) {
    problems.push(...zodProblems(shownPath(full), parsed.error.issues));
    return undefined;
  }
  const { id, name, description, resourceType, attributes } = parsed.data;
  return { schema: { id, name, description, attributes: attributes.map(toAttribute) }, resourceType };
}
