/** Schema definitions in RFC 7643 §7 terms, served as-is by /Schemas. */

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

/** A short way to declare attributes: RFC defaults filled in, the rest overridable. */
export function attr(
  name: string,
  type: AttributeType,
  more: Partial<Omit<AttributeDefinition, 'name' | 'type'>> = {},
): AttributeDefinition {
  const def: AttributeDefinition = {
    name,
    type,
    multiValued: false,
    description: more.description ?? name,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...more,
  };
  if (type === 'reference' && !def.referenceTypes) def.referenceTypes = ['external'];
  return def;
}

/** The sub-attributes every multi-valued "value/display/type/primary" attribute has (RFC 7643 §2.4). */
export function multiValuedStrings(name: string, description: string, types: string[], valueType: AttributeType = 'string'): AttributeDefinition {
  return attr(name, 'complex', {
    multiValued: true,
    description,
    subAttributes: [
      attr('value', valueType, { description: `The ${name} value` }),
      attr('display', 'string', { description: 'A human-readable name, primarily used for display purposes' }),
      attr('type', 'string', { description: 'A label indicating the function', canonicalValues: types }),
      attr('primary', 'boolean', { description: 'Indicates the primary value' }),
    ],
  });
}
