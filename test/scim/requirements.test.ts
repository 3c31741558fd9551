/**
 * Attributes an app requires beyond RFC 7643 (what its native API needs, declared by its plugin): the
 * app's schemas say `required: true` for them, and a resource lacking one is refused with invalidValue
 * naming it. Other apps, and the shared core schema objects, are unaffected.
 */
import { describe, expect, it } from 'vitest';
import { canonicalizeResource } from '../../src/scim/resource.js';
import { userSchema } from '../../src/scim/schemas/core.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';
import { scimErrorOf } from '../support/scim-error.js';

const registry = new SchemaRegistry(
  { User: [enterpriseUserSchema] },
  { User: [{ name: 'name', sub: 'givenName' }, { name: 'emails' }, { uri: ENTERPRISE_USER_SCHEMA, name: 'employeeNumber' }] },
);
const plain = new SchemaRegistry({ User: [enterpriseUserSchema] });
const user = (body: object, reg = registry) => canonicalizeResource({ schemas: [USER_SCHEMA], ...body }, { registry: reg, type: 'User' });
const complete = {
  userName: 'ann@example.com',
  name: { givenName: 'Ann' },
  emails: [{ value: 'ann@example.com' }],
  [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '1' },
};

describe('SchemaRegistry with required attributes', () => {
  it('marks them required in its own copies of the schemas', () => {
    const core = registry.schema(USER_SCHEMA)!;
    const name = core.attributes.find((a) => a.name === 'name')!;
    expect(name.required).toBe(true);
    expect(name.subAttributes!.find((s) => s.name === 'givenName')!.required).toBe(true);
    expect(name.subAttributes!.find((s) => s.name === 'familyName')!.required).toBe(false);
    expect(core.attributes.find((a) => a.name === 'emails')!.required).toBe(true);
    expect(registry.schema(ENTERPRISE_USER_SCHEMA)!.attributes.find((a) => a.name === 'employeeNumber')!.required).toBe(true);
    // RFC 7643 §6: an extension holding a required attribute is itself required of the resource type.
    expect(registry.resourceTypes[0]!.schemaExtensions).toEqual([{ schema: ENTERPRISE_USER_SCHEMA, required: true }]);
    // The shared definitions and other apps stay as RFC 7643 has them.
    expect(userSchema.attributes.find((a) => a.name === 'name')!.required).toBe(false);
    expect(plain.schema(USER_SCHEMA)!.attributes.find((a) => a.name === 'emails')!.required).toBe(false);
    expect(plain.resourceTypes[0]!.schemaExtensions).toEqual([{ schema: ENTERPRISE_USER_SCHEMA, required: false }]);
  });

  it('refuses a requirement it cannot resolve', () => {
    expect(() => new SchemaRegistry({}, { User: [{ name: 'shoeSize' }] })).toThrow(/shoeSize/);
  });
});

describe('canonicalizeResource refuses a resource lacking a required attribute, naming it', () => {
  it('accepts the complete resource', () => {
    expect(user(complete)).toMatchObject({ userName: 'ann@example.com' });
    expect(user({ userName: 'ann@example.com' }, plain)).toMatchObject({ userName: 'ann@example.com' });
  });

  it.each([
    { without: 'name', body: { ...complete, name: undefined }, names: 'name.givenName' },
    { without: 'name.givenName', body: { ...complete, name: { familyName: 'Lee' } }, names: 'name.givenName' },
    { without: 'a blank name.givenName', body: { ...complete, name: { givenName: ' ' } }, names: 'name.givenName' },
    { without: 'emails', body: { ...complete, emails: undefined }, names: 'emails' },
    { without: 'the enterprise extension', body: { ...complete, [ENTERPRISE_USER_SCHEMA]: null }, names: `${ENTERPRISE_USER_SCHEMA}:employeeNumber` },
    { without: 'employeeNumber', body: { ...complete, [ENTERPRISE_USER_SCHEMA]: { department: 'R&D' } }, names: `${ENTERPRISE_USER_SCHEMA}:employeeNumber` },
  ])('without $without', ({ body, names }) => {
    const error = scimErrorOf(() => user(body));
    expect([error.status, error.scimType]).toEqual([400, 'invalidValue']);
    expect(error.message).toBe(`Attribute ${names} is required and must not be empty`);
  });
});
