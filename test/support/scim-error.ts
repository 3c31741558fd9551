import { ScimError } from '../../src/scim/errors.js';

/** Runs `fn` and returns the ScimError it throws; fails the test when it throws anything else or nothing. */
export function scimErrorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw new Error(`expected a ScimError, got ${String(e)}`);
  }
  throw new Error('expected a ScimError, nothing was thrown');
}
