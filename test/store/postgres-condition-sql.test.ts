import { describe, expect, it } from 'vitest';
import { MAX_CONDITION_DEPTH, MAX_CONDITION_NODES } from '../../src/store/condition-sql.js';
import { compileCondition } from '../../src/store/postgres/condition-sql.js';
import type { StoreCondition } from '../../src/store/types.js';

const cmp = (op: Extract<StoreCondition, { value: string }>['op'], field: Extract<StoreCondition, { op: 'pr' }>['field'], value: string): StoreCondition => ({
  op,
  field,
  value,
});

describe('PostgreSQL condition SQL', () => {
  it.each([
    { condition: cmp('eq', 'userName', 'a@x'), sql: 'user_name = $3', params: ['a@x'] },
    { condition: cmp('gt', 'created', '2024'), sql: 'created > $3', params: ['2024'] },
    { condition: cmp('ge', 'lastModified', 't'), sql: 'last_modified >= $3', params: ['t'] },
    { condition: cmp('lt', 'externalId', 'e'), sql: 'external_id < $3', params: ['e'] },
    { condition: cmp('le', 'id', 'i'), sql: 'id <= $3', params: ['i'] },
    { condition: cmp('ne', 'displayName', 'd'), sql: 'display_name IS DISTINCT FROM $3', params: ['d'] },
    { condition: cmp('co', 'userName', 'ab'), sql: 'strpos(user_name, $3) > 0', params: ['ab'] },
    { condition: cmp('sw', 'userName', 'ab'), sql: '(user_name >= $3 AND left(user_name, $4) = $5)', params: ['ab', 2, 'ab'] },
    // Lengths are in characters: an astral character and a combining sequence count as PostgreSQL counts them.
    { condition: cmp('ew', 'displayName', ' 😀'), sql: 'right(display_name, $3) = $4', params: [2, ' 😀'] },
    { condition: cmp('sw', 'displayName', 'e\u0301'), sql: '(display_name >= $3 AND left(display_name, $4) = $5)', params: ['e\u0301', 2, 'e\u0301'] },
    { condition: cmp('co', 'externalId', ''), sql: 'external_id IS NOT NULL', params: [] },
    { condition: cmp('ew', 'externalId', ''), sql: 'external_id IS NOT NULL', params: [] },
    { condition: { op: 'pr', field: 'externalId' }, sql: "(external_id IS NOT NULL AND external_id <> '')", params: [] },
    { condition: { op: 'not', condition: cmp('eq', 'displayName', 'x') }, sql: '(NOT coalesce(display_name = $3, false))', params: ['x'] },
    {
      condition: { op: 'or', left: cmp('eq', 'userName', 'a'), right: { op: 'and', left: cmp('ne', 'externalId', 'b'), right: cmp('eq', 'id', 'c') } },
      sql: '(user_name = $3 OR (external_id IS DISTINCT FROM $4 AND id = $5))',
      params: ['a', 'b', 'c'],
    },
  ] as { condition: StoreCondition; sql: string; params: (string | number)[] }[])('$sql', ({ condition, sql, params }) => {
    expect(compileCondition(condition, 3)).toStrictEqual({ sql, params });
  });

  it('numbers its parameters from the position it is given', () => {
    expect(compileCondition(cmp('eq', 'id', 'x')).sql).toBe('id = $1');
    expect(compileCondition(cmp('eq', 'id', 'x'), 7).sql).toBe('id = $7');
  });

  const hostile = ["x' OR 1=1 --", "'); DROP TABLE resources; --", '%_', '\\', '"', '$1', 'E\'\\x41\'', '$$ ; $$'];

  it.each(hostile)('never puts the value %j into the SQL text', (value) => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) {
      const { sql, params } = compileCondition(cmp(op, 'userName', value), 3);
      expect(sql.includes(value)).toBe(false);
      expect(params).toContain(value);
    }
  });

  it('refuses U+0000 (no PostgreSQL text holds one) as an invalid filter', () => {
    expect(() => compileCondition(cmp('eq', 'userName', 'a\u0000b'))).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
  });

  it('maps fields through the fixed table only', () => {
    for (const field of ['__proto__', 'constructor', 'data', 'user_name; DROP TABLE resources']) {
      expect(() => compileCondition({ op: 'pr', field } as unknown as StoreCondition)).toThrow(TypeError);
    }
  });

  it('bounds the depth and the number of terms, as on SQLite', () => {
    let deep: StoreCondition = cmp('eq', 'id', 'x');
    for (let i = 0; i < MAX_CONDITION_DEPTH; i++) deep = { op: 'not', condition: deep };
    expect(() => compileCondition(deep)).toThrow(expect.objectContaining({ scimType: 'invalidFilter', message: expect.stringMatching(/nested/) }));
    // Balanced, so it is shallow: only the number of terms is over.
    let wide: StoreCondition[] = Array.from({ length: 2048 }, () => cmp('eq', 'id', 'x'));
    while (wide.length > 1) {
      const next: StoreCondition[] = [];
      for (let i = 0; i < wide.length; i += 2) next.push({ op: 'or', left: wide[i]!, right: wide[i + 1]! });
      wide = next;
    }
    expect(2 * 2048 - 1).toBeGreaterThan(MAX_CONDITION_NODES);
    expect(() => compileCondition(wide[0]!)).toThrow(expect.objectContaining({ scimType: 'invalidFilter', message: expect.stringMatching(/terms/) }));
  });
});
