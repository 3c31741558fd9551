/**
 * A SCIM service provider nobody here wrote: SCIMMY (RFC 7643/7644 resources, filters, PATCH) behind its
 * own express routers, as a real HTTP server on loopback. Its records live in memory, one store per mount
 * (`/a/scim`, `/b/scim`), so a test can drive one through the gateway and the other directly and compare.
 * SCIMMY's resource declarations are process-wide; the store is picked by the request's mount (context).
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export const SCIMMY_TOKEN = 'scimmy-test-token-0123456789';

type Stored = Record<string, unknown>;
type Stores = Record<'a' | 'b', { User: Map<string, Stored>; Group: Map<string, Stored> }>;

export interface ScimmyServer {
  /** Base URL of the mount, e.g. http://127.0.0.1:PORT/a/scim */
  url(mount: 'a' | 'b'): string;
  users(mount: 'a' | 'b'): Stored[];
  groups(mount: 'a' | 'b'): Stored[];
  close(): Promise<void>;
}

let declared = false;
let current: Stores | undefined;

function declare(): void {
  if (declared) return;
  declared = true;
  const handlers = (type: 'User' | 'Group') => ({
    ingress: (resource: { id?: string }, instance: Record<string, unknown>, ctx: { mount: 'a' | 'b' }) => {
      const map = current![ctx.mount][type];
      const key = type === 'User' ? 'userName' : 'displayName';
      const value = String(instance[key]).toLowerCase();
      if ([...map.values()].some((r) => r.id !== resource.id && String(r[key]).toLowerCase() === value)) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', `${key} is taken`);
      }
      const id = resource.id ?? randomUUID();
      if (resource.id && !map.has(id)) throw new SCIMMY.Types.Error(404, null as never, `${type} ${id} not found`);
      const now = new Date().toISOString();
      const record = { ...JSON.parse(JSON.stringify(instance)), id, meta: { resourceType: type, created: (map.get(id)?.meta as Stored | undefined)?.created ?? now, lastModified: now } };
      map.set(id, record);
      return record;
    },
    egress: (resource: { id?: string; filter?: { match(list: Stored[]): Stored[] } }, ctx: { mount: 'a' | 'b' }) => {
      const map = current![ctx.mount][type];
      if (resource.id) {
        const found = map.get(resource.id);
        if (!found) throw new SCIMMY.Types.Error(404, null as never, `${type} ${resource.id} not found`);
        return found;
      }
      const all = [...map.values()];
      return resource.filter ? resource.filter.match(all) : all;
    },
    degress: (resource: { id?: string }, ctx: { mount: 'a' | 'b' }) => {
      const map = current![ctx.mount][type];
      if (!resource.id || !map.delete(resource.id)) throw new SCIMMY.Types.Error(404, null as never, `${type} not found`);
    },
  });
  const user = handlers('User');
  const group = handlers('Group');
  SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser as never, false);
  SCIMMY.Resources.declare(SCIMMY.Resources.User);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  SCIMMY.Resources.User.ingress(user.ingress as never).egress(user.egress as never).degress(user.degress as never);
  SCIMMY.Resources.Group.ingress(group.ingress as never).egress(group.egress as never).degress(group.degress as never);
}

export async function startScimmy(): Promise<ScimmyServer> {
  declare();
  const stores: Stores = { a: { User: new Map(), Group: new Map() }, b: { User: new Map(), Group: new Map() } };
  current = stores;
  const app = express();
  for (const mount of ['a', 'b'] as const) {
    app.use(
      `/${mount}/scim`,
      new SCIMMYRouters({
        type: 'bearer',
        docUri: 'https://scimmy.example/auth',
        handler: (req: express.Request) => {
          if (req.header('authorization') !== `Bearer ${SCIMMY_TOKEN}`) throw new Error('Authorization not detected');
          return 'test';
        },
        context: () => ({ mount }),
      }) as unknown as express.Router,
    );
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: (mount) => `http://127.0.0.1:${port}/${mount}/scim`,
    users: (mount) => structuredClone([...stores[mount].User.values()]),
    groups: (mount) => structuredClone([...stores[mount].Group.values()]),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
