/**
 * What a failure from pg means for the store. A database that cannot answer now (connection refused
 * or lost, server shutting down, out of resources or disk, a statement or lock timeout, contention we
 * gave up retrying) is StoreError 'unavailable' with the pg error as `cause`; our message names only a
 * code, never the connection URL. A unique violation is the 'conflict' its index stands for.
 */

import { StoreError } from '../types.js';

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : '');

/** Socket-level failures (Node system error codes). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN',
]);

/** pg's own errors for a connection that ended or can no longer be used. */
const LOST_MESSAGE = /^(Connection terminated|Client has encountered a connection error|Client was closed|Query read timeout)/;

/**
 * SQLSTATEs after which the server has closed the session: admin/crash shutdown, cannot connect now,
 * the session timeouts.
 */
const FATAL_STATES = new Set(['57P01', '57P02', '57P03', '57P05', '25P03']);

/** The connection is gone or in an unknown state: it must not go back to the pool. */
export function isConnectionBroken(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined && (SOCKET_CODES.has(code) || FATAL_STATES.has(code) || code.startsWith('08'))) return true;
  return LOST_MESSAGE.test(messageOf(err));
}

/**
 * The connection was lost before an answer came (not a timeout: retrying one would only double the
 * wait). A transaction that never reached COMMIT can run again on a fresh connection: the server
 * rolled it back.
 */
export function isConnectionLost(err: unknown): boolean {
  return isConnectionBroken(err) && !messageOf(err).startsWith('Query read timeout');
}

/** Serialization failure or deadlock: the server rolled the transaction back; running it again is the cure. */
export function isContention(err: unknown): boolean {
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
}

/**
 * Not now, but maybe later: the above, resource exhaustion (class 53: disk full, out of memory, too many
 * connections), statement or lock timeouts (57014, 55P03) and I/O errors (58030).
 */
export function isTransient(err: unknown): boolean {
  const code = codeOf(err);
  if (code === '57014' || code === '55P03' || code === '58030' || code?.startsWith('53')) return true;
  return isConnectionBroken(err) || isContention(err);
}

export function unavailable(what: string, cause: unknown): StoreError {
  const code = codeOf(cause);
  return new StoreError('unavailable', `the PostgreSQL store ${what}${code ? ` (${code})` : ''}`, {}, cause);
}

/** The field each unique index of `resources` guards (names from migrations.ts). */
const UNIQUE_FIELDS: Readonly<Record<string, 'id' | 'userName' | 'displayName' | 'nativeId'>> = {
  resources_pkey: 'id',
  resources_user_name: 'userName',
  resources_unique_key: 'displayName',
  resources_native_id: 'nativeId',
};

/** A pg error -> the StoreError it stands for; anything else (StoreErrors included) is kept as it is. */
export function translate(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  if (code === '23505') {
    const constraint = (err as { constraint?: unknown }).constraint;
    const field = typeof constraint === 'string' && Object.hasOwn(UNIQUE_FIELDS, constraint) ? UNIQUE_FIELDS[constraint] : undefined;
    if (field) return new StoreError('conflict', `${field} is already taken`, { field }, err);
  }
  // Members are checked (and locked) before they are inserted, so this is only a safety net.
  if (code === '23503') return new StoreError('missing_members', 'a member does not exist', {}, err);
  if (isTransient(err)) return unavailable('cannot answer now', err);
  return err;
}
