/**
 * Why an authentication was refused, as one of a few words: the log keeps the full reason; a metric's
 * label must come from a fixed list (a reason can carry a JWT library's message, a tenant id, a kid).
 */
export const AUTH_FAILURE_KINDS = ['missing', 'malformed', 'unknown_app', 'no_credentials', 'secret_mismatch', 'jwt_rejected', 'throttled', 'unavailable', 'other'] as const;
export type AuthFailureKind = (typeof AUTH_FAILURE_KINDS)[number];

export function authFailureKind(reason: string): AuthFailureKind {
  if (reason === 'no Authorization header') return 'missing';
  if (reason === 'Authorization header too long' || reason === 'malformed Bearer token' || reason === 'Authorization is not a Bearer credential') return 'malformed';
  if (reason === 'unknown app') return 'unknown_app';
  if (reason.startsWith('the app has no credentials')) return 'no_credentials';
  if (reason.startsWith('bearer secret does not match')) return 'secret_mismatch';
  if (reason.startsWith('JWT') || reason.startsWith('not a decodable JWT') || reason.includes('only Entra JWTs')) return 'jwt_rejected';
  return 'other';
}
