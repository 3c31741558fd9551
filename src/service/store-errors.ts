/** Store errors become SCIM errors here, once. */
import { invalidValue, notFound, preconditionFailed, serviceUnavailable, uniqueness } from '../scim/errors.js';
import { StoreError } from '../store/types.js';

/** Thrown instead of 412 when a read-modify-write lost a race the caller may simply retry. */
export class RetryableConflict extends Error {}

/** What a uniqueness conflict on each field is called, for the client. */
export const CONFLICT_DETAIL = {
  userName: 'A user with this userName already exists',
  displayName: 'A group with this displayName already exists',
  id: 'A resource with this id already exists',
  nativeId: 'The downstream record is already linked to another resource',
} as const;

/** What a conflict with a write in progress on each field is called, for the client. */
const CLAIMED_DETAIL = {
  userName: 'A user with this userName is being created or changed by another request',
  displayName: 'A group with this displayName is being created or changed by another request',
  id: 'The resource is being changed by another request',
  nativeId: CONFLICT_DETAIL.nativeId,
} as const;

/** What a 503 asks the client to wait before it tries again. */
export const RETRY_AFTER_SECONDS = 1;

export async function storeCall<T>(call: () => Promise<T>, options: { retryOnVersionMismatch?: boolean } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    switch (error.code) {
      case 'conflict':
        throw uniqueness(CONFLICT_DETAIL[error.details.field ?? 'userName']);
      case 'claimed':
        // Another request is writing the same name right now: as far as this one can know, it is taken.
        throw uniqueness(CLAIMED_DETAIL[error.details.field ?? 'userName']);
      case 'claim_lost':
        // The native work happened but its record could not be committed: a retry searches before it creates.
        throw serviceUnavailable('The write took longer than its claim lasted; try again', RETRY_AFTER_SECONDS, error);
      case 'unavailable':
        throw serviceUnavailable('The gateway cannot reach its database right now; try again', RETRY_AFTER_SECONDS, error);
      case 'not_found':
        throw notFound('The resource no longer exists');
      case 'version_mismatch':
        if (options.retryOnVersionMismatch) throw new RetryableConflict();
        throw preconditionFailed('The resource was changed by another request');
      case 'missing_members': {
        const ids = error.details.ids ?? [];
        const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, and ${ids.length - 5} more` : '');
        throw invalidValue(`members do not exist: ${shown}`);
      }
    }
  }
}
