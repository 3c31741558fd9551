/**
 * The configuration of inbound security: an app's `auth` object (bearer secrets and Entra-issued JWTs)
 * and the gateway-wide `security` section (abuse limits, HTTP server limits). Part of the one gateway
 * schema (src/config/schema.ts imports these); defaults beside each field.
 */
import { z } from 'zod';

/** The audience of the token Entra sends to every non-gallery app, whichever tenant: pin the tenant too. */
export const ENTRA_NON_GALLERY_AUDIENCE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * Where one bearer secret comes from: exactly one of the keys. A literal secret is deliberately not an
 * option; a stored hash is (it does not reveal the secret).
 */
const secretSource = z
  .strictObject(
    {
    /** The first of these variables that is set and non-empty supplies the secret. */
    env: z.union([envName, z.array(envName).min(1)]).optional(),
    /** A file holding the secret (surrounding whitespace trimmed); relative to the configuration file. */
    file: z.string().min(1).optional(),
    /** SHA-256 of the secret, hex. Fine for long random secrets; prefer `hash` for anything a person chose. */
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').optional(),
    /** `scrypt$N$r$p$salt$hash`, made by `scim-bridge hash-secret`. */
    hash: z.string().regex(/^scrypt\$/, 'must be a scrypt$N$r$p$salt$hash string (make one with `scim-bridge hash-secret`)').optional(),
    },
    {
      // `secrets: [my-secret]`: say how to give one, without repeating the value.
      error: (issue) =>
        issue.code === 'invalid_type' && typeof issue.input === 'string'
          ? 'a literal secret is not accepted; give where it comes from: { env: VARIABLE }, { file: path }, { hash: "scrypt$…" } or { sha256: … }'
          : undefined,
    },
  )
  .refine(
    (s) => [s.env, s.file, s.sha256, s.hash].filter((v) => v !== undefined).length === 1,
    'give exactly one of env, file, sha256, hash',
  );

export type SecretSource = z.output<typeof secretSource>;

const tenantId = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be an Entra tenant id (a GUID)');

/** http:// is accepted so tests can run a local provider; production authorities are https. */
const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const entraAuth = z.strictObject({
  /** Tenant ids whose tokens this app accepts. The audience alone is shared by every tenant's app. */
  tenants: z.array(tenantId).min(1),
  /** Accepted `aud` values. */
  audiences: z.array(z.string().min(1)).min(1).default([ENTRA_NON_GALLERY_AUDIENCE]),
  /** Base of the v2 issuer (`{authority}/{tid}/v2.0`) and of OpenID discovery. Sovereign clouds differ. */
  authority: baseUrl.default('https://login.microsoftonline.com'),
  /** Base of the v1 issuer (`{v1IssuerBase}/{tid}/`), the form Entra's provisioning tokens carry. */
  v1IssuerBase: baseUrl.default('https://sts.windows.net'),
  /** Leeway for exp/nbf/iat, bounded so a misconfiguration cannot keep expired tokens alive. */
  clockSkewSeconds: z.number().int().min(0).max(300).default(60),
  /** When set, a token older than this (by its `iat`, plus the skew) is refused, whatever its `exp`; `iat` is then required. */
  maxTokenAgeSeconds: z.number().int().min(60).max(86_400).optional(),
  /** A verified token is remembered (by its SHA-256) this long, at most until it expires; 0: verify every time. */
  tokenCacheSeconds: z.number().int().min(0).max(600).default(120),
  keys: z
    .strictObject({
      /** How long fetched signing keys are used before the JWKS is fetched again. */
      cacheMaxAgeSeconds: z.number().int().min(10).max(86_400).default(600),
      /** An unknown `kid` refetches the JWKS at most this often; also the back-off after the endpoint failed. */
      cooldownSeconds: z.number().int().min(0).max(600).default(30),
      /** Discovery and JWKS requests give up after this long (the caller gets 503, never a hang). */
      timeoutSeconds: z.number().int().min(1).max(30).default(5),
    })
    .prefault({}),
});

export type EntraAuthConfig = z.output<typeof entraAuth>;

export const appAuthSchema = z.strictObject({
  secrets: z.array(secretSource).default([]),
  /**
   * What to do when no secret source resolves: `refuse` stops start-up; `generate` makes a random
   * secret once, keeps it in `<dataDir>/secrets/<app>.token` (mode 0600) and logs only the file's path.
   */
  whenUnset: z.enum(['refuse', 'generate']).default('refuse'),
  /** Accept Entra-issued JWTs (what Entra sends when the Secret Token field is left blank). */
  entra: entraAuth.optional(),
});

export type AppAuthConfig = z.output<typeof appAuthSchema>;

const rate = z.strictObject({
  /** Sustained requests per second (fractions allowed). */
  requestsPerSecond: z.number().positive().max(1_000_000),
  /** Requests allowed at once above the sustained rate. */
  burst: z.number().int().min(1).max(1_000_000),
});

/** Addresses of proxies whose X-Forwarded-For is believed: `loopback`, `uniquelocal`, an IP or a CIDR. */
const proxyAddress = z.string().regex(/^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/, 'must be an IP, a CIDR, loopback, linklocal or uniquelocal');

export const securitySchema = z
  .strictObject({
    /**
     * Which client address the per-address limits see. false: the TCP peer. Behind a reverse proxy set it
     * (a hop count or the proxies' addresses), or every caller shares the proxy's address and one attacker
     * throttles Entra too.
     */
    trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10), z.array(proxyAddress).min(1)]).default(false),
    /** Failed authentications per client address; beyond it every request from there gets 429 until the window ends. */
    failedAuth: z
      .strictObject({
        maxFailures: z.number().int().min(1).max(100_000).default(20),
        windowSeconds: z.number().int().min(1).max(86_400).default(60),
        /** Addresses remembered at once (least recently failed are forgotten first): bounds memory. */
        trackedAddresses: z.number().int().min(100).max(1_000_000).default(50_000),
      })
      .prefault({}),
    /** Authenticated requests per app (token bucket); `apps` overrides it for named apps. */
    appRateLimit: z
      .strictObject({
        requestsPerSecond: z.number().positive().max(1_000_000).default(200),
        burst: z.number().int().min(1).max(1_000_000).default(400),
        apps: z.record(z.string(), rate).default({}),
      })
      .prefault({}),
    /** Limits of the HTTP server itself (node's http options). */
    http: z
      .strictObject({
        /** Larger request headers get 431 before any code of ours runs. */
        maxHeaderBytes: z.number().int().min(4096).max(1024 * 1024).default(16 * 1024),
        /** The whole request (headers and body) must arrive within this; else 408. */
        requestTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
        /** The headers must arrive within this (slow-loris). */
        headersTimeoutSeconds: z.number().int().min(1).max(3600).default(20),
        /** Idle keep-alive connections are closed after this; above a load balancer's idle timeout. */
        keepAliveTimeoutSeconds: z.number().int().min(1).max(3600).default(65),
      })
      .prefault({})
      .refine((h) => h.headersTimeoutSeconds <= h.requestTimeoutSeconds, 'headersTimeoutSeconds must not exceed requestTimeoutSeconds'),
  })
  .prefault({});

export type SecurityConfig = z.output<typeof securitySchema>;
export type HttpLimitsConfig = SecurityConfig['http'];
