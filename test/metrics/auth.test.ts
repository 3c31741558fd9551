/**
 * Metrics of inbound authentication against a local OpenID provider: key-set fetches (discovery and
 * JWKS) counted by outcome, and refused credentials counted by a reason from a fixed list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';

const TENANT = '66666666-6666-4666-8666-666666666666';
const OTHER_TENANT = '77777777-7777-4777-8777-777777777777';
const DOWN_TENANT = '88888888-8888-4888-8888-888888888888';

let idp: OidcProvider;
let gw: TestGateway;

beforeAll(async () => {
  idp = await startOidcProvider();
  const entra = (tenant: string) => `{ tenants: [${tenant}], authority: "${idp.authority}", v1IssuerBase: "${idp.v1IssuerBase}", keys: { timeoutSeconds: 1, cooldownSeconds: 0 } }`;
  gw = await startGateway({
    app: 'jwt',
    configYaml: ['apps:', `  jwt: { connector: store, auth: { entra: ${entra(TENANT)} } }`, `  down: { connector: store, auth: { entra: ${entra(DOWN_TENANT)} } }`, ''].join('\n'),
  });
});
afterAll(async () => {
  await gw?.close();
  await idp?.close();
});

async function metric(series: string): Promise<number> {
  const { body } = await gw.gateway.metrics!.exposition();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('authentication metrics', () => {
  it('counts key-set fetches and refusals by reason', async () => {
    const ok = await gw.call('/Users', { token: await idp.mint({ tenant: TENANT }) });
    expect(ok.status).toBe(200);
    expect(await metric('scim_bridge_entra_key_fetches_total{what="discovery",outcome="ok"}')).toBe(1);
    expect(await metric('scim_bridge_entra_key_fetches_total{what="jwks",outcome="ok"}')).toBe(1);

    expect((await gw.call('/Users', { token: await idp.mint({ tenant: OTHER_TENANT }) })).status).toBe(401);
    expect((await gw.call('/Users', { token: null })).status).toBe(401);
    expect(await metric('scim_bridge_auth_failures_total{app="jwt",reason="jwt_rejected"}')).toBe(1);
    expect(await metric('scim_bridge_auth_failures_total{app="jwt",reason="missing"}')).toBe(1);

    idp.setMode('down');
    const down = await gw.call(`${gw.origin}/apps/down/scim/v2/Users`, { token: await idp.mint({ tenant: DOWN_TENANT }) });
    idp.setMode('up');
    expect(down.status).toBe(503);
    expect(await metric('scim_bridge_entra_key_fetches_total{what="discovery",outcome="error"}')).toBe(1);
    expect(await metric('scim_bridge_auth_failures_total{app="down",reason="unavailable"}')).toBe(1);
  });
});
