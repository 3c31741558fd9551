/**
 * EntraVerifier on an injected clock: how long an accepted token is remembered (never past its exp, at
 * most tokenCacheSeconds, per app), and exp/nbf with the bounded skew. Real verifications are counted
 * by the JWKS requests the local provider sees (the key cache is set to refetch on every lookup).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appAuthSchema, ENTRA_NON_GALLERY_AUDIENCE, type EntraAuthConfig } from '../../src/auth/config-schema.js';
import { TenantKeys } from '../../src/auth/entra-keys.js';
import { EntraVerifier } from '../../src/auth/entra-token.js';
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';

const TENANT = '66666666-6666-4666-8666-666666666666';
let idp: OidcProvider;
beforeAll(async () => {
  idp = await startOidcProvider();
});
afterAll(async () => {
  await idp.close();
});

function verifierAt(clock: { now: number }, overrides: Partial<EntraAuthConfig> = {}) {
  const keys = new TenantKeys(idp.authority, TENANT, { cacheMaxAgeMs: 0, cooldownMs: 0, timeoutMs: 2000 }, () => clock.now);
  const config: EntraAuthConfig = {
    tenants: [TENANT],
    audiences: [ENTRA_NON_GALLERY_AUDIENCE],
    authority: idp.authority,
    v1IssuerBase: idp.v1IssuerBase,
    clockSkewSeconds: 60,
    tokenCacheSeconds: 120,
    keys: { cacheMaxAgeSeconds: 10, cooldownSeconds: 0, timeoutSeconds: 2 },
    ...overrides,
  };
  return new EntraVerifier(config, { keysFor: () => keys, now: () => clock.now });
}

describe('accepted-token cache', () => {
  it('answers a repeated token from the cache for at most tokenCacheSeconds, then verifies again', async () => {
    const clock = { now: Date.now() };
    const verifier = verifierAt(clock);
    const token = await idp.mint({ tenant: TENANT, expiresIn: 3600 });
    expect(await verifier.verify(token)).toMatchObject({ ok: true, who: { tenant: TENANT } });
    const verified = idp.hits.jwks;
    clock.now += 119_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
    expect(idp.hits.jwks).toBe(verified);
    clock.now += 2_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
    expect(idp.hits.jwks).toBe(verified + 1);
  });

  it('never past the token’s exp: then the skew decides, and beyond it the token is refused', async () => {
    const clock = { now: Date.now() };
    const verifier = verifierAt(clock);
    const token = await idp.mint({ tenant: TENANT, expiresIn: 30 });
    expect((await verifier.verify(token)).ok).toBe(true);
    clock.now += 31_000;
    expect((await verifier.verify(token)).ok).toBe(true);
    clock.now += 60_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: false, reason: expect.stringContaining('ERR_JWT_EXPIRED') });
  });

  it('not yet valid until nbf minus the skew', async () => {
    const clock = { now: Date.now() };
    const verifier = verifierAt(clock);
    const token = await idp.mint({ tenant: TENANT, notBefore: 120 });
    expect(await verifier.verify(token)).toMatchObject({ ok: false, reason: expect.stringContaining('"nbf"') });
    clock.now += 61_000;
    expect((await verifier.verify(token)).ok).toBe(true);
  });

  it('is per verifier (per app and configuration), and off with tokenCacheSeconds: 0', async () => {
    const clock = { now: Date.now() };
    const token = await idp.mint({ tenant: TENANT });
    const first = verifierAt(clock);
    expect((await first.verify(token)).ok).toBe(true);
    const before = idp.hits.jwks;
    expect((await verifierAt(clock).verify(token)).ok).toBe(true);
    expect(idp.hits.jwks).toBe(before + 1);
    const uncached = verifierAt(clock, { tokenCacheSeconds: 0 });
    await uncached.verify(token);
    await uncached.verify(token);
    expect(idp.hits.jwks).toBe(before + 3);
  });
});

describe('iat and the maximum token age', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('refuses a token issued in the future beyond the skew; within it the token is fine', async () => {
    const verifier = verifierAt({ now: Date.now() }, { tokenCacheSeconds: 0 });
    const future = await idp.mint({ tenant: TENANT, claims: { iat: nowSeconds() + 300 } });
    expect(await verifier.verify(future)).toMatchObject({ ok: false, reason: expect.stringContaining('"iat"') });
    const skewed = await idp.mint({ tenant: TENANT, claims: { iat: nowSeconds() + 30 } });
    expect((await verifier.verify(skewed)).ok).toBe(true);
  });

  it('maxTokenAgeSeconds refuses an older token (skew allowed), and the cache never outlives it', async () => {
    const clock = { now: Date.now() };
    const verifier = verifierAt(clock, { maxTokenAgeSeconds: 300 });
    const token = await idp.mint({ tenant: TENANT, expiresIn: 3600 });
    expect((await verifier.verify(token)).ok).toBe(true);
    // Cached for up to 120 s, but the token turns 300 s old (plus 60 s of skew) first.
    clock.now += 300_000;
    expect((await verifier.verify(token)).ok).toBe(true);
    clock.now += 100_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: false, reason: expect.stringContaining('"iat"') });
    const noIat = await idp.mint({ tenant: TENANT, claims: { iat: undefined } });
    expect(await verifierAt({ now: Date.now() }, { maxTokenAgeSeconds: 300 }).verify(noIat)).toMatchObject({ ok: false, reason: expect.stringContaining('"iat"') });
  });

  it('is configured per app: maxTokenAgeSeconds, from 60 s to a day', () => {
    const entra = { tenants: [TENANT] };
    expect(appAuthSchema.parse({ entra: { ...entra, maxTokenAgeSeconds: 3600 } }).entra?.maxTokenAgeSeconds).toBe(3600);
    expect(appAuthSchema.parse({ entra }).entra?.maxTokenAgeSeconds).toBeUndefined();
    expect(appAuthSchema.safeParse({ entra: { ...entra, maxTokenAgeSeconds: 10 } }).success).toBe(false);
    expect(appAuthSchema.safeParse({ entra: { ...entra, maxTokenAgeSeconds: 86_401 } }).success).toBe(false);
  });
});

