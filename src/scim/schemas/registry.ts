import type { AttrPathRef } from '../filter/ast.js';
import { commonAttributes, ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, groupSchema, USER_SCHEMA, userSchema } from './core.js';
import { withRequired, type RequiredAttribute, type ResourceRequirements } from './requirements.js';
import type { AttributeDefinition, SchemaDefinition } from './types.js';

export type ResourceTypeName = 'User' | 'Group';

export interface ResourceTypeDefinition {
  name: ResourceTypeName;
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

/** An attribute path mapped onto a schema: canonical names and where the value sits in a resource. */
export interface ResolvedAttribute {
  /** The URN of the schema that defines the attribute (the core schema for id, externalId, meta). */
  schema: string;
  /** True when the value sits under the schema URN key (extension attributes). */
  extension: boolean;
  attribute: AttributeDefinition;
  sub?: AttributeDefinition;
  /** Canonical keys from the resource root to the value, e.g. ['urn:…:enterprise:2.0:User', 'manager', 'value']. */
  keys: string[];
}

const lower = (s: string) => s.toLowerCase();

function findAttribute(list: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  if (!list) return undefined;
  const wanted = lower(name);
  return list.find((a) => lower(a.name) === wanted);
}

/** The definition of sub-attribute `name` of a complex attribute (case-insensitive), if any. */
export function findSubAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return findAttribute(parent.subAttributes, name);
}

/**
 * The schemas one app serves: core User and Group, the enterprise extension when declared, and the
 * custom extensions the app declares. Built once at start-up; every lookup is case-insensitive.
 */
export class SchemaRegistry {
  readonly resourceTypes: readonly ResourceTypeDefinition[];
  private readonly schemasById = new Map<string, SchemaDefinition>();
  private readonly byType = new Map<ResourceTypeName, { core: SchemaDefinition; extensions: SchemaDefinition[] }>();
  /** Extensions a resource must carry because the app requires one of their attributes (RFC 7643 §6). */
  private readonly requiredExtensions = new Set<string>();

  /**
   * `extensions` lists the extension schemas (enterprise included when wanted) for each resource type;
   * `required`, attributes the app requires beyond RFC 7643 (e.g. what its native API needs).
   */
  constructor(extensions: { User?: SchemaDefinition[]; Group?: SchemaDefinition[] } = {}, required: ResourceRequirements = {}) {
    const userExt = [...(extensions.User ?? [])];
    const groupExt = [...(extensions.Group ?? [])];
    for (const s of [userSchema, groupSchema, ...userExt, ...groupExt]) {
      if (this.schemasById.has(lower(s.id))) throw new Error(`schema ${s.id} is declared twice`);
      this.schemasById.set(lower(s.id), s);
    }
    this.byType.set('User', { core: userSchema, extensions: userExt });
    this.byType.set('Group', { core: groupSchema, extensions: groupExt });
    this.applyRequirements(required);
    const extensionsOf = (type: ResourceTypeName) =>
      this.extensionSchemas(type).map((s) => ({ schema: s.id, required: this.requiredExtensions.has(lower(s.id)) }));
    this.resourceTypes = Object.freeze([
      { name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA, schemaExtensions: extensionsOf('User') },
      { name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA, schemaExtensions: extensionsOf('Group') },
    ]);
  }

  /** Replaces each schema holding a required attribute with a copy that says so. */
  private applyRequirements(required: ResourceRequirements): void {
    for (const type of ['User', 'Group'] as const) {
      const marks = new Map<string, RequiredAttribute[]>();
      for (const ref of required[type] ?? []) {
        const resolved = this.resolve(type, ref);
        const shown = `${ref.uri ? `${ref.uri}:` : ''}${ref.name}${ref.sub ? `.${ref.sub}` : ''}`;
        if (!resolved || (ref.sub !== undefined) !== (resolved.sub !== undefined)) throw new Error(`required attribute ${shown} is not an attribute of ${type}`);
        const list = marks.get(lower(resolved.schema)) ?? [];
        list.push({ attribute: resolved.attribute.name, ...(resolved.sub ? { sub: resolved.sub.name } : {}) });
        marks.set(lower(resolved.schema), list);
      }
      const entry = this.byType.get(type)!;
      for (const [id, list] of marks) {
        const copy = withRequired(this.schemasById.get(id)!, list);
        this.schemasById.set(id, copy);
        if (lower(entry.core.id) === id) entry.core = copy;
        else {
          entry.extensions = entry.extensions.map((s) => (lower(s.id) === id ? copy : s));
          this.requiredExtensions.add(id);
        }
      }
    }
  }

  /** Whether a resource of `type` must carry the extension `urn` (RFC 7643 §6 `schemaExtensions.required`). */
  isRequiredExtension(urn: string): boolean {
    return this.requiredExtensions.has(lower(urn));
  }

  /** Every schema served, in the order /Schemas lists them. */
  schemas(): SchemaDefinition[] {
    return [...this.schemasById.values()];
  }

  schema(id: string): SchemaDefinition | undefined {
    return this.schemasById.get(lower(id));
  }

  coreSchema(type: ResourceTypeName): SchemaDefinition {
    return this.byType.get(type)!.core;
  }

  extensionSchemas(type: ResourceTypeName): readonly SchemaDefinition[] {
    return this.byType.get(type)!.extensions;
  }

  /** The extension schema of `type` whose URN is `urn` (case-insensitive), if the app declares it. */
  extensionSchema(type: ResourceTypeName, urn: string): SchemaDefinition | undefined {
    const wanted = lower(urn);
    return this.extensionSchemas(type).find((s) => lower(s.id) === wanted);
  }

  /**
   * A path that names a whole extension schema (`urn:…:enterprise:2.0:User`) parses as uri
   * `urn:…:enterprise:2.0` + name `User`; this tells whether `ref` is such a path.
   */
  extensionSchemaOfPath(type: ResourceTypeName, ref: AttrPathRef): SchemaDefinition | undefined {
    if (ref.sub !== undefined) return undefined;
    const whole = ref.uri ? `${ref.uri}:${ref.name}` : ref.name;
    return this.extensionSchema(type, whole);
  }

  /** Maps a written path onto its attribute, or undefined when the resource type has no such attribute. */
  resolve(type: ResourceTypeName, ref: AttrPathRef): ResolvedAttribute | undefined {
    const { core, extensions } = this.byType.get(type)!;
    let schema: SchemaDefinition | undefined;
    let attribute: AttributeDefinition | undefined;
    let extension = false;

    if (ref.uri !== undefined) {
      const uri = lower(ref.uri);
      if (uri === lower(core.id)) {
        schema = core;
        attribute = findAttribute(core.attributes, ref.name) ?? findAttribute(commonAttributes, ref.name);
      } else {
        schema = extensions.find((s) => lower(s.id) === uri);
        attribute = schema && findAttribute(schema.attributes, ref.name);
        extension = true;
      }
    } else {
      schema = core;
      attribute = findAttribute(core.attributes, ref.name) ?? findAttribute(commonAttributes, ref.name);
    }
    if (!schema || !attribute) return undefined;

    const keys = extension ? [schema.id, attribute.name] : [attribute.name];
    if (ref.sub === undefined) return { schema: schema.id, extension, attribute, keys };
    const sub = findSubAttribute(attribute, ref.sub);
    if (!sub) return undefined;
    return { schema: schema.id, extension, attribute, sub, keys: [...keys, sub.name] };
  }
}

/** The registry of an app from the extension schemas it declares, enterprise included by URN. */
export function buildRegistry(userExtensions: SchemaDefinition[], groupExtensions: SchemaDefinition[] = []): SchemaRegistry {
  return new SchemaRegistry({ User: userExtensions, Group: groupExtensions });
}

export { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, USER_SCHEMA, GROUP_SCHEMA };
