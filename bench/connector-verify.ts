/**
 * One request of every measured shape on both sides before the load, checked for meaning and not only
 * for 2xx: a wrong key or path would be measured as thousands of fast errors, and a native body that is
 * not what the plugin sends would compare the gateway with some other call.
 */
import { callJson as call } from './cli.js';
import { nativeUserByEmail } from './connector-native.js';
import { GATEWAY_BASE_PATH, NATIVE_BASE_PATH, nativeCreateBody } from './connector-scenarios.js';
import { replaceTitleBody, userBody } from './scenarios.js';

export interface VerifySides {
  nativeOrigin: string;
  nativeHeaders: Record<string, string>;
  gatewayOrigin: string;
  scimHeaders: Record<string, string>;
  /** A preloaded user: its userName (= email), SCIM id and native id. */
  userName: string;
  scimId: string;
  nativeId: string;
  runTag: string;
}

/** Fields that differ between any two native users whatever made them. */
const PER_RECORD = new Set(['id', 'email', 'create_ts', 'update_ts']);

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !PER_RECORD.has(k)));
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: gateway ${JSON.stringify(a[k])} vs direct ${JSON.stringify(b[k])}`);
}

export async function verifyConnectorShapes(s: VerifySides): Promise<void> {
  const problems: string[] = [];
  const native = (method: string, path: string, body?: unknown) => call(s.nativeOrigin, method, `${NATIVE_BASE_PATH}${path}`, s.nativeHeaders, body);
  const scim = (method: string, path: string, body?: unknown) => call(s.gatewayOrigin, method, `${GATEWAY_BASE_PATH}${path}`, s.scimHeaders, body);

  const found = await native('GET', `/user/?email=${encodeURIComponent(s.userName)}`);
  if (found.count !== 1) problems.push(`native filter on ${s.userName} found ${String(found.count)}, not 1`);
  const listed = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${s.userName}"`)}`);
  if (listed.totalResults !== 1) problems.push(`SCIM filter on ${s.userName} found ${String(listed.totalResults)}, not 1`);

  const direct = await native('PUT', `/user/${encodeURIComponent(s.nativeId)}/`, { title: 'Verified direct' });
  if (direct.title !== 'Verified direct') problems.push(`native PUT left title ${String(direct.title)}`);
  const patched = await scim('PATCH', `/Users/${encodeURIComponent(s.scimId)}`, replaceTitleBody('Verified gateway'));
  if (patched.title !== 'Verified gateway') problems.push(`SCIM PATCH left title ${String(patched.title)}`);
  const after = await native('GET', `/user/${encodeURIComponent(s.nativeId)}/`);
  if (after.title !== 'Verified gateway') problems.push(`the SCIM PATCH did not reach 15Five: native title ${String(after.title)}`);

  // The same user made both ways must come out the same natively: then the direct body is the plugin's.
  const viaGateway = `verify-gateway-${s.runTag}@example.com`;
  const viaDirect = `verify-direct-${s.runTag}@example.com`;
  await scim('POST', '/Users', userBody(viaGateway, 7));
  await native('POST', '/user/bulk/', nativeCreateBody(viaDirect, 7));
  const missing = await native('GET', `/user/?email=${encodeURIComponent(`verify-none-${s.runTag}@example.com`)}`);
  if (missing.count !== 0) problems.push(`native search for a new email found ${String(missing.count)}`);
  const diff = sameFields(await nativeUserByEmail(s.nativeOrigin, s.nativeHeaders, viaGateway), await nativeUserByEmail(s.nativeOrigin, s.nativeHeaders, viaDirect));
  if (diff.length > 0) problems.push(`the direct create body is not what the plugin sends (${diff.join('; ')})`);

  if (problems.length > 0) throw new Error(`bench:connector: verify: ${problems.join('; ')}`);
}
