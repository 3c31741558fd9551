/**
 * A connector that tells the request scope what it is working on — the resource's name and native id —
 * so the native calls it makes, and the write's audit row, say which user or group they were for.
 */
import type { Connector } from '../connectors/types.js';
import { wrapWith } from '../store/wrap.js';
import { nameOf, noteSubject } from './scope.js';

export function scopedConnector(connector: Connector): Connector {
  return wrapWith(connector, {
    create: async (...args: Parameters<Connector['create']>) => {
      const [type, resource] = args;
      noteSubject({ resourceType: type, resourceName: nameOf(type, resource) }, true);
      const result = await connector.create(...args);
      if (result.nativeId !== undefined) noteSubject({ nativeId: result.nativeId }, true);
      return result;
    },
    update: (...args: Parameters<Connector['update']>) => {
      const [type, nativeId, , after] = args;
      noteSubject({ resourceType: type, nativeId, resourceName: nameOf(type, after) }, true);
      return connector.update(...args);
    },
    delete: (...args: Parameters<Connector['delete']>) => {
      const [type, nativeId, resource] = args;
      noteSubject({ resourceType: type, nativeId, resourceName: nameOf(type, resource) }, true);
      return connector.delete(...args);
    },
  } satisfies Partial<Connector>);
}
