/**
 * Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, generated from an
 * app's schema registry. Entra wants /Schemas as a ListResponse with no null values (ENTRA.md #17).
 */
import type { ResourceTypeDefinition, SchemaRegistry } from './schemas/registry.js';
import type { SchemaDefinition } from './schemas/types.js';
import { listResponse, type ListResponse } from './list.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

type Json = Record<string, unknown>;

/** Where an app says what its downstream system cannot do (RFC 7643 §3.3 allows extensions; clients ignore unknown ones). */
export const LIMITATIONS_SCHEMA = 'urn:scim-bridge:params:scim:schemas:extension:2.0:ServiceProviderConfig';

export function serviceProviderConfig(baseUrl: string, limits: { maxResults: number }, limitations: readonly string[] = []): Json {
  return {
    schemas: limitations.length > 0 ? [SPC_SCHEMA, LIMITATIONS_SCHEMA] : [SPC_SCHEMA],
    ...(limitations.length > 0 ? { [LIMITATIONS_SCHEMA]: { limitations: [...limitations] } } : {}),
    documentationUri: 'https://github.com/scim-bridge/scim-bridge#readme',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token (the Secret Token of Entra ID provisioning)',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

function resourceTypeDocument(rt: ResourceTypeDefinition, baseUrl: string): Json {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.name}` },
  };
}

function schemaDocument(schema: SchemaDefinition, baseUrl: string): Json {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export function resourceTypes(registry: SchemaRegistry, baseUrl: string): ListResponse {
  const docs = registry.resourceTypes.map((rt) => resourceTypeDocument(rt, baseUrl));
  return listResponse(docs, docs.length, 1);
}

export function resourceType(registry: SchemaRegistry, baseUrl: string, id: string): Json | undefined {
  const rt = registry.resourceTypes.find((r) => r.name.toLowerCase() === id.toLowerCase());
  return rt && resourceTypeDocument(rt, baseUrl);
}

export function schemas(registry: SchemaRegistry, baseUrl: string): ListResponse {
  const docs = registry.schemas().map((s) => schemaDocument(s, baseUrl));
  return listResponse(docs, docs.length, 1);
}

export function schema(registry: SchemaRegistry, baseUrl: string, id: string): Json | undefined {
  const s = registry.schema(id);
  return s && schemaDocument(s, baseUrl);
}
