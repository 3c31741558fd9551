/**
 * A local OpenID provider shaped like Microsoft Entra ID, over real HTTP on loopback: per tenant a v2.0
 * discovery document and a JWKS; RS256 keys made with jose that can be added, rotated and withdrawn; and
 * faults (down: connections reset; slow: never answers; error: 500). It mints tokens the way Entra's
 * provisioning service does (v1 issuer form by default) and the malformed ones the attack tests need.
 * Also used by bench/auth.ts, so it imports nothing from vitest.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export const NON_GALLERY_AUDIENCE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

export type ProviderMode = 'up' | 'down' | 'slow' | 'error';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface MintOptions {
  /** The tenant whose issuer and `tid` the token carries. */
  tenant: string;
  aud?: string;
  /** `v1` (https://sts.windows.net/{tid}/, what provisioning sends) or `v2`; or an explicit issuer. */
  issuer?: 'v1' | 'v2' | string;
  /** Overrides `tid` (default: the tenant). `null` leaves it out. */
  tid?: string | null;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Seconds from now for `nbf`; omitted by default. */
  notBefore?: number;
  /** Sign with this key (default: the current one); the header names it unless `kid` says otherwise. */
  keyId?: string;
  kid?: string;
  /** More claims. */
  claims?: JWTPayload;
}

export interface OidcProvider {
  /** The authority to configure (`auth.entra.authority`): http://127.0.0.1:<port> */
  authority: string;
  /** The v1 issuer base to configure (`auth.entra.v1IssuerBase`). */
  v1IssuerBase: string;
  issuerV1(tenant: string): string;
  issuerV2(tenant: string): string;
  /** kid of the key tokens are signed with by default. */
  currentKid(): string;
  /** Makes a new key, publishes it, and (unless `sign: false`) signs with it from now on. */
  addKey(options?: { sign?: boolean }): Promise<string>;
  /** Stops publishing a key (tokens signed with it stop verifying once the JWKS is refetched). */
  withdrawKey(kid: string): void;
  mint(options: MintOptions): Promise<string>;
  /** A token whose header says `alg: none`, with an empty signature. */
  mintUnsigned(options: MintOptions): string;
  /** HS256 with the current RSA public key (PEM) as the HMAC secret: the classic key-confusion attack. */
  mintHs256WithPublicKey(options: MintOptions): Promise<string>;
  setMode(mode: ProviderMode): void;
  /** Requests served so far, by kind. */
  hits: { discovery: number; jwks: number };
  close(): Promise<void>;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startOidcProvider(): Promise<OidcProvider> {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  let signingKid = '';
  let mode: ProviderMode = 'up';
  const hits = { discovery: 0, jwks: 0 };
  const sockets = new Set<Socket>();

  async function addKey(options: { sign?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256', kty: 'RSA' };
    keys.set(kid, { kid, privateKey, publicKey, publicJwk });
    published.add(kid);
    if (options.sign !== false) signingKid = kid;
    return kid;
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (mode === 'slow') return; // never answers; the client's timeout must end it
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (mode === 'error') {
      json(500, { error: 'server_error' });
      return;
    }
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (discovery) {
      hits.discovery += 1;
      const tenant = discovery[1]!;
      json(200, {
        issuer: provider.issuerV2(tenant),
        authorization_endpoint: `${provider.authority}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${provider.authority}/${tenant}/oauth2/v2.0/token`,
        jwks_uri: `${provider.authority}/${tenant}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }
    if (/^\/[^/]+\/discovery\/v2\.0\/keys$/.test(path)) {
      hits.jwks += 1;
      json(200, { keys: [...published].map((kid) => keys.get(kid)!.publicJwk) });
      return;
    }
    json(404, { error: 'not_found' });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function claimsOf(options: MintOptions): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    const issuer =
      options.issuer === undefined || options.issuer === 'v1'
        ? provider.issuerV1(options.tenant)
        : options.issuer === 'v2'
          ? provider.issuerV2(options.tenant)
          : options.issuer;
    const claims: JWTPayload = {
      aud: options.aud ?? NON_GALLERY_AUDIENCE,
      iss: issuer,
      iat: now - 10,
      exp: now + (options.expiresIn ?? 3600),
      appid: '00000014-0000-0000-c000-000000000000',
      ...options.claims,
    };
    if (options.tid !== null) claims.tid = options.tid ?? options.tenant;
    if (options.notBefore !== undefined) claims.nbf = now + options.notBefore;
    return claims;
  }

  const provider: OidcProvider = {
    authority: origin,
    v1IssuerBase: `${origin}/sts`,
    issuerV1: (tenant) => `${origin}/sts/${tenant}/`,
    issuerV2: (tenant) => `${origin}/${tenant}/v2.0`,
    currentKid: () => signingKid,
    addKey,
    withdrawKey: (kid) => {
      published.delete(kid);
    },
    async mint(options) {
      const key = keys.get(options.keyId ?? signingKid);
      if (!key) throw new Error(`oidc-provider: no key ${options.keyId ?? signingKid}`);
      return new SignJWT(claimsOf(options))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? key.kid })
        .sign(key.privateKey);
    },
    mintUnsigned(options) {
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(options))}.`;
    },
    async mintHs256WithPublicKey(options) {
      const key = keys.get(signingKid)!;
      const pem = await exportSPKI(key.publicKey);
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(claimsOf(options))}`;
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    },
    setMode: (next) => {
      mode = next;
    },
    hits,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
  await addKey();
  return provider;
}
