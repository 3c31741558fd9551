/**
 * Issue 12, point 5: a group create applied natively whose answer is lost must not leave two native groups.
 * (On the code before the fix, the bundled 15five plugin of the day did: two groups, the first orphaned.)
 * Groups with a native create now need a search; the connector searches before every create and again
 * before sending a create whose answer was lost. Tested on a plugin of this shape over a small native API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createRestConnector } from '../../../src/connectors/rest/index.js';
import type { Connector } from '../../../src/connectors/types.js';
import { loadPlugin } from '../../../src/plugins/index.js';
import { basePlugin, removePluginDirs, writePlugins } from '../../plugins/fixtures.js';
import { GROUP, IdMap } from './support.js';

const groups: { id: number; name: string }[] = [];
let dropNextCreate = false;
let creates = 0;
let server: Server;
let connector: Connector & { close(): Promise<void> };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/groups') send(200, { results: groups });
      else if (req.method === 'POST' && req.url === '/groups') {
        creates += 1;
        const group = { id: groups.length + 1, name: (JSON.parse(text) as { name: string }).name };
        groups.push(group);
        // Applied, then the answer is lost.
        if (dropNextCreate) {
          dropNextCreate = false;
          req.socket.destroy();
        } else send(201, group);
      } else send(404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const yaml = basePlugin();
  yaml.groups = {
    operations: {
      create: { method: 'POST', path: '/groups', id: { body: 'id' } },
      update: { method: 'PATCH', path: '/groups/{id}' },
      search: { method: 'GET', path: '/groups', results: 'results', match: 'name', by: ['displayName'] },
    },
    toNative: { name: 'displayName' },
    toScim: { displayName: 'name' },
    delete: 'ignore',
  };
  const root = writePlugins({ demo: { yaml } });
  const { plugin, problems } = loadPlugin(root, 'demo');
  expect(problems).toEqual([]);
  const { port } = server.address() as AddressInfo;
  connector = createRestConnector(plugin!, { baseUrl: `http://127.0.0.1:${port}`, credentials: { apiKey: 'k' } }, { log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await connector.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removePluginDirs();
});
beforeEach(() => {
  groups.length = 0;
  creates = 0;
});

it('a create applied natively whose answer was lost is found by name, not sent again', async () => {
  dropNextCreate = true;
  const { nativeId } = await connector.create('Group', { schemas: [GROUP], displayName: 'Engineering' }, new IdMap());
  expect(groups).toEqual([{ id: 1, name: 'Engineering' }]);
  expect(nativeId).toBe('1');
  expect(creates).toBe(1);
});

it('a client retrying the whole create adopts the group the first try made', async () => {
  await connector.create('Group', { schemas: [GROUP], displayName: 'Engineering' }, new IdMap());
  const again = await connector.create('Group', { schemas: [GROUP], displayName: 'Engineering' }, new IdMap());
  expect(again.nativeId).toBe('1');
  expect(groups).toHaveLength(1);
});
