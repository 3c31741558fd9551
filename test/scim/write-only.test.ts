/** withoutWriteOnly: every `returned: never` / `writeOnly` value goes, core or extension, at any depth; nothing else. */
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';
import { attr, type SchemaDefinition } from '../../src/scim/schemas/types.js';
import { withoutWriteOnly } from '../../src/scim/write-only.js';

const VAULT = 'urn:example:params:scim:schemas:extension:vault:2.0:User';
const vault: SchemaDefinition = {
  id: VAULT,
  name: 'Vault',
  description: 'write-only extension attributes',
  attributes: [
    attr('pin', 'string', { mutability: 'writeOnly', returned: 'never' }),
    attr('badge', 'string'),
    attr('keys', 'complex', { multiValued: true, subAttributes: [attr('id', 'string'), attr('secret', 'string', { returned: 'never' })] }),
  ],
};
const ctx = { registry: new SchemaRegistry({ User: [vault] }), type: 'User' as const };

describe('withoutWriteOnly', () => {
  it('returns the very resource when it holds nothing write-only', () => {
    const resource = { schemas: [USER_SCHEMA, VAULT], userName: 'a', [VAULT]: { badge: 'b' } };
    expect(withoutWriteOnly(resource, ctx)).toBe(resource);
  });

  it('drops core, extension and sub-attribute values, in any letter case, without touching its input', () => {
    const resource = {
      schemas: [USER_SCHEMA, VAULT],
      userName: 'a',
      PassWord: 'p',
      [VAULT]: { pin: '1234', badge: 'b', keys: [{ id: 'k1', secret: 's1' }, { id: 'k2' }] },
    };
    const copy = structuredClone(resource);
    expect(withoutWriteOnly(resource, ctx)).toEqual({ schemas: [USER_SCHEMA, VAULT], userName: 'a', [VAULT]: { badge: 'b', keys: [{ id: 'k1' }, { id: 'k2' }] } });
    expect(resource).toEqual(copy);
  });

  it('an extension left empty goes, and its URN from schemas', () => {
    expect(withoutWriteOnly({ schemas: [USER_SCHEMA, VAULT], userName: 'a', [VAULT]: { pin: '1' } }, ctx)).toEqual({ schemas: [USER_SCHEMA], userName: 'a' });
  });
});
