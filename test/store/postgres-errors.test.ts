/**
 * What the PostgreSQL store makes of the server's refusals that say "not now": resource exhaustion (class
 * 53: a full disk, out of memory, too many connections) and timeouts are StoreError 'unavailable' (503 +
 * Retry-After for the client); a unique violation is a conflict; anything else is kept as it is.
 */
import { describe, expect, it } from 'vitest';
import { translate } from '../../src/store/postgres/errors.js';
import { StoreError } from '../../src/store/types.js';

const pgError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`server said ${code}`), { code, ...extra });

describe('PostgreSQL errors', () => {
  it.each([
    ['53100', 'disk full'],
    ['53200', 'out of memory'],
    ['53300', 'too many connections'],
    ['57014', 'statement timeout'],
    ['55P03', 'lock not available'],
  ])('%s (%s) is unavailable, keeping the server error as its cause', (code) => {
    const error = pgError(code);
    const translated = translate(error);
    expect(translated).toBeInstanceOf(StoreError);
    expect(translated).toMatchObject({ code: 'unavailable', cause: error });
  });

  it('a unique violation names the field; an unknown error is kept as it is', () => {
    expect(translate(pgError('23505', { constraint: 'resources_user_name' }))).toMatchObject({ code: 'conflict', details: { field: 'userName' } });
    const other = pgError('22P02');
    expect(translate(other)).toBe(other);
  });
});
