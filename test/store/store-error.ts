/** The StoreError a store call rejects with, for the store tests: failing the test when it resolves or throws something else. */
import { expect } from 'vitest';
import { StoreError } from '../../src/store/types.js';

export async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

/** `code:field` of that StoreError, e.g. `conflict:userName`, `claim_lost:`. */
export async function storeErrorCode(promise: Promise<unknown>): Promise<string> {
  const e = await storeError(promise);
  return `${e.code}:${e.details.field ?? ''}`;
}
