/** Native URLs: joining, query encoding, and paths that try to leave the base. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { buildUrl, parseBaseUrl } from '../../../src/connectors/http/url.js';
import { json, settingsFor, startServer, type TestServer } from './support.js';

describe('buildUrl', () => {
  const joins = [
    { base: 'https://api.example.com/api/public', path: '/user/', expected: 'https://api.example.com/api/public/user/' },
    { base: 'https://api.example.com/api/public/', path: '/user/', expected: 'https://api.example.com/api/public/user/' },
    { base: 'https://api.example.com/api/public/', path: 'user/42/', expected: 'https://api.example.com/api/public/user/42/' },
    { base: 'https://api.example.com', path: '/employees/7', expected: 'https://api.example.com/employees/7' },
    { base: 'https://api.example.com/v1', path: '', expected: 'https://api.example.com/v1' },
    { base: 'https://api.example.com/v1', path: '/users/a%20b%2F..%3F', expected: 'https://api.example.com/v1/users/a%20b%2F..%3F' },
    { base: 'https://api.example.com/v1', path: "/x/it's(1)*+,;=:@!$&~_-.", expected: "https://api.example.com/v1/x/it's(1)*+,;=:@!$&~_-." },
  ];
  it.each(joins)('$base + $path', ({ base, path, expected }) => {
    expect(buildUrl(parseBaseUrl(base), path).href).toBe(expected);
  });

  const queries = [
    { query: { email: 'a+b@x.com' }, expected: '?email=a%2Bb%40x.com' },
    { query: { page: 2, page_size: 100, is_active: true }, expected: '?page=2&page_size=100&is_active=true' },
    { query: { q: 'x y&z=1#frag' }, expected: '?q=x+y%26z%3D1%23frag' },
    { query: { skipped: undefined, kept: '' }, expected: '?kept=' },
    { query: { skipped: undefined }, expected: '' },
  ];
  it.each(queries)('query $expected', ({ query, expected }) => {
    expect(buildUrl(parseBaseUrl('https://api.example.com/v1'), '/users', query).search).toBe(expected);
  });

  const escapes = [
    '/users/../admin',
    '/users/..',
    '..',
    '/users/./x',
    '/users/%2e%2e/admin',
    '/users/%2E%2e',
    '/users/.%2e/admin',
    '//evil.example.com/x',
    '/users//x',
    'https://evil.example.com/x',
    'javascript:alert(1)',
    '/users/a b',
    '/users/a?admin=1',
    '/users/a#x',
    '/users\\..\\admin',
    '/users/%zz',
    '/users/%4',
    '/users/\u00e9',
    '/users/\r\nX-Injected: 1',
    '/users/<script>',
  ];
  it.each(escapes)('refuses %j', (path) => {
    expect(() => buildUrl(parseBaseUrl('https://api.example.com/v1'), path)).toThrow(TypeError);
  });

  const bases = ['not a url', 'ftp://api.example.com', 'https://user:pw@api.example.com', 'https://api.example.com/v1?x=1', 'https://api.example.com/#x'];
  it.each(bases)('refuses base URL %j', (base) => {
    expect(() => parseBaseUrl(base)).toThrow(TypeError);
  });
});

describe('through the client', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, 200, { ok: true }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends the joined path and the encoded query', async () => {
    const client = createNativeClient(settingsFor(`${server.url}/api/public/`));
    await client.request({ method: 'GET', path: '/user/', query: { email: 'ö+1@x.com', page: 3 }, idempotent: true, operation: 'users.find' });
    expect(server.seen.at(-1)?.url).toBe('/api/public/user/?email=%C3%B6%2B1%40x.com&page=3');
    await client.close();
  });

  it.each(['/user/../../admin', '/user/%2e%2e/x', '//127.0.0.2/x', 'http://127.0.0.2/x'])('refuses %j without sending anything', async (path) => {
    const client = createNativeClient(settingsFor(`${server.url}/api/public`));
    const before = server.seen.length;
    await expect(client.request({ method: 'DELETE', path, idempotent: true, operation: 'users.delete' })).rejects.toThrow(TypeError);
    expect(server.seen.length).toBe(before);
    await client.close();
  });
});
