import { attr, multiValuedStrings, type SchemaDefinition } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Entra adds this schema to group creates (ENTRA.md #13); it carries no attributes we need. */
export const ENTRA_AD_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

const workHome = ['work', 'home', 'other'];

export const userSchema: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', { required: true, uniqueness: 'server', description: 'Unique identifier for the User' }),
    attr('name', 'complex', {
      description: "The components of the user's real name",
      subAttributes: [
        attr('formatted', 'string'),
        attr('familyName', 'string'),
        attr('givenName', 'string'),
        attr('middleName', 'string'),
        attr('honorificPrefix', 'string'),
        attr('honorificSuffix', 'string'),
      ],
    }),
    attr('displayName', 'string'),
    attr('nickName', 'string'),
    attr('profileUrl', 'reference'),
    attr('title', 'string'),
    attr('userType', 'string'),
    attr('preferredLanguage', 'string'),
    attr('locale', 'string'),
    attr('timezone', 'string'),
    attr('active', 'boolean'),
    attr('password', 'string', { mutability: 'writeOnly', returned: 'never' }),
    multiValuedStrings('emails', 'Email addresses for the user', workHome),
    multiValuedStrings('phoneNumbers', 'Phone numbers for the User', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValuedStrings('ims', 'Instant messaging addresses for the User', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multiValuedStrings('photos', 'URLs of photos of the User', ['photo', 'thumbnail'], 'reference'),
    attr('addresses', 'complex', {
      multiValued: true,
      description: 'A physical mailing address for this User',
      subAttributes: [
        attr('formatted', 'string'),
        attr('streetAddress', 'string'),
        attr('locality', 'string'),
        attr('region', 'string'),
        attr('postalCode', 'string'),
        attr('country', 'string'),
        attr('type', 'string', { canonicalValues: workHome }),
        attr('primary', 'boolean'),
      ],
    }),
    attr('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      description: 'A list of groups to which the user belongs',
      subAttributes: [
        attr('value', 'string', { mutability: 'readOnly' }),
        attr('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
    }),
    multiValuedStrings('entitlements', 'A list of entitlements for the User', []),
    multiValuedStrings('roles', 'A list of roles for the User', []),
    attr('x509Certificates', 'complex', {
      multiValued: true,
      subAttributes: [
        attr('value', 'binary'),
        attr('display', 'string'),
        attr('type', 'string'),
        attr('primary', 'boolean'),
      ],
    }),
  ],
};

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', { required: true, description: 'A human-readable name for the Group' }),
    attr('members', 'complex', {
      multiValued: true,
      description: 'A list of members of the Group',
      subAttributes: [
        attr('value', 'string', { mutability: 'immutable' }),
        attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { mutability: 'immutable' }),
        attr('type', 'string', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
    }),
  ],
};

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string'),
    attr('costCenter', 'string'),
    attr('organization', 'string'),
    attr('division', 'string'),
    attr('department', 'string'),
    attr('manager', 'complex', {
      description: "The User's manager",
      subAttributes: [
        attr('value', 'string', { description: 'The id of the SCIM resource representing the manager' }),
        attr('$ref', 'reference', { referenceTypes: ['User'] }),
        attr('displayName', 'string', { mutability: 'readOnly' }),
      ],
    }),
  ],
};

/**
 * Attributes every resource has (RFC 7643 §3.1), outside any schema's attribute list. They are
 * resolvable in filters, sortBy and attributes= but never writable.
 */
export const commonAttributes = [
  attr('id', 'string', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr('externalId', 'string', { caseExact: true }),
  attr('meta', 'complex', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { mutability: 'readOnly', referenceTypes: ['uri'] }),
      attr('version', 'string', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];
