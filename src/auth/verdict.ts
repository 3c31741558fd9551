/** What checking one credential concluded. Reasons go to the log, never to the client. */

export type Verdict =
  | { ok: true; method: 'secret' | 'entra'; /** For the log: who the token says the caller is (no secret). */ who?: Record<string, string> }
  | {
      ok: false;
      reason: string;
      /** Set when the failure is ours (signing keys unreachable): answer 503 with this Retry-After, not 401. */
      retryAfterSeconds?: number;
      /** The first such failure since the keys were last reachable: the one worth a warning. */
      outageStarted?: boolean;
    };

export const refused = (reason: string): Verdict => ({ ok: false, reason });

/** Three base64url segments: the compact JWS shape (the signature may be empty, as with alg "none"). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export const looksLikeJwt = (token: string): boolean => COMPACT_JWS.test(token);
