/**
 * SCIM id → native id for the references a connector maps (a manager, a group's members), for one
 * request. The lookups asked for together — a member list is mapped with one Promise.all — become one
 * store query per resource type, and an id asked for twice (the before and after image of an update) is
 * looked up once.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';

type Lookup = (type: ResourceTypeName, ids: readonly string[]) => Promise<Map<string, string>>;

export function batchedNativeIds(lookup: Lookup): (type: ResourceTypeName, id: string) => Promise<string | undefined> {
  const known = new Map<string, Promise<string | undefined>>();
  let queued: Map<ResourceTypeName, Map<string, (found: Promise<Map<string, string>>) => void>> | undefined;

  const flush = () => {
    const batch = queued!;
    queued = undefined;
    for (const [type, waiting] of batch) {
      const found = lookup(type, [...waiting.keys()]);
      for (const settle of waiting.values()) settle(found);
    }
  };

  return (type, id) => {
    const cacheKey = `${type}\u0000${id}`;
    const cached = known.get(cacheKey);
    if (cached) return cached;
    if (!queued) {
      queued = new Map();
      queueMicrotask(flush);
    }
    let waiting = queued.get(type);
    if (!waiting) queued.set(type, (waiting = new Map()));
    const answer = new Promise<string | undefined>((resolve, reject) => {
      waiting.set(id, (found) => found.then((map) => resolve(map.get(id)), reject));
    });
    known.set(cacheKey, answer);
    return answer;
  };
}
