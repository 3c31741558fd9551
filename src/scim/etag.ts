/**
 * Resource versions as entity tags (RFC 7644 §3.14). The version counter is the ETag, weak because
 * the representation varies with attributes= projections.
 */
import { preconditionFailed } from './errors.js';

export const etagOf = (version: number): string => `W/"${version}"`;

/** The opaque part of each tag in an If-Match / If-None-Match list, or '*'. */
function tagsOf(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//i, ''))
    .filter((t) => t.length > 0);
}

/** True when a conditional header lists this version (or '*'). Weak comparison, as RFC 7232 §2.3.2. */
export function headerMatches(header: string, version: number): boolean {
  const mine = `"${version}"`;
  return tagsOf(header).some((t) => t === '*' || t === mine);
}

/** Throws 412 when If-Match is given and does not name the current version. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch !== undefined && !headerMatches(ifMatch, version)) {
    throw preconditionFailed(`The resource has changed: its version is ${etagOf(version)}`);
  }
}
