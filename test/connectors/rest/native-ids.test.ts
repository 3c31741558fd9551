/**
 * A list (reconcile) and a search (adoption) read a result's native id by one rule: a string or a number;
 * a result without one — an empty string included — is the downstream system's fault (502), never an id.
 */
import { describe, expect, it } from 'vitest';
import { listNativePage } from '../../../src/connectors/rest/list.js';
import { FIRST_PAGE, type SendPage } from '../../../src/connectors/rest/paging.js';
import { searchNative } from '../../../src/connectors/rest/search.js';
import { compilePathTemplate } from '../../../src/plugins/templates.js';
import type { CompiledList, CompiledSearch } from '../../../src/plugins/types.js';
import { ScimError } from '../../../src/scim/errors.js';

const answering =
  (records: unknown[]): SendPage =>
  async () => ({ status: 200, headers: {}, body: records }) as unknown as Awaited<ReturnType<SendPage>>;

const base = { method: 'GET' as const, path: compilePathTemplate('/users', []), view: (r: Record<string, unknown>) => r as never, id: 'id', paging: { style: 'none' as const }, thenRead: false };
const search: CompiledSearch = { ...base, name: 'users.search', by: new Set(['userName']), match: 'email', caseExact: false, maxPages: 1 };
const list: CompiledList = { ...base, name: 'users.list' };

describe('a native id', () => {
  it.each([
    ['a number', 7, '7'],
    ['a string', 'u-7', 'u-7'],
  ])('%s is an id, in a list and in a search', async (_name, id, expected) => {
    const record = { id, email: 'ada@acme.example' };
    expect((await listNativePage(list, FIRST_PAGE, '', answering([record]))).hits[0]?.nativeId).toBe(expected);
    expect((await searchNative(search, 'ada@acme.example', '', answering([record]))).hits[0]?.nativeId).toBe(expected);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['an object', { v: 1 }],
  ])('%s is no id: a list and a search both answer 502', async (_name, id) => {
    const record = { ...(id === undefined ? {} : { id }), email: 'ada@acme.example' };
    await expect(listNativePage(list, FIRST_PAGE, '', answering([record]))).rejects.toSatisfy((e) => e instanceof ScimError && e.status === 502);
    await expect(searchNative(search, 'ada@acme.example', '', answering([record]))).rejects.toSatisfy((e) => e instanceof ScimError && e.status === 502);
  });
});
