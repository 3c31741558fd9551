/**
 * Loading and compiling plugin.yaml: every mistake is reported with the file, the path in it and what
 * is wrong, all at once, when the configuration loads.
 */
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugin } from '../../src/plugins/index.js';
import { basePlugin, edit, removePluginDirs, writePlugins } from './fixtures.js';

afterAll(removePluginDirs);

function problemsOf(mutate: (p: Record<string, unknown>) => void, files?: Record<string, string>): { file: string; problems: string[] } {
  const yaml = basePlugin();
  mutate(yaml);
  const root = writePlugins({ demo: { yaml, ...(files ? { files } : {}) } });
  const { problems } = loadPlugin(root, 'demo');
  return { file: join(root, 'demo', 'plugin.yaml'), problems };
}

describe('loadPlugin', () => {
  it('compiles the valid fixture with no problem', () => {
    const root = writePlugins({ demo: { yaml: basePlugin() } });
    const { plugin, problems } = loadPlugin(root, 'demo');
    expect(problems).toEqual([]);
    expect(plugin?.credentials).toEqual(['apiKey']);
    expect(plugin?.registry.extensionSchemas('User').map((s) => s.id)).toEqual([
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:example:params:scim:schemas:extension:demo:2.0:User',
    ]);
    expect(plugin?.groups).toBeUndefined();
  });

  it('compiles users.requires into attribute paths, aliases expanded', () => {
    const root = writePlugins({ demo: { yaml: edit(basePlugin(), 'users.requires', ['name.givenName', 'enterprise.employeeNumber', 'emails']) } });
    const { plugin, problems } = loadPlugin(root, 'demo');
    expect(problems).toEqual([]);
    expect(plugin?.requires).toEqual({
      User: [{ name: 'name', sub: 'givenName' }, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'employeeNumber' }, { name: 'emails' }],
      Group: [],
    });
  });

  const rows: { name: string; path: string; value: unknown; at: string; says: string }[] = [
    { name: 'an invalid json-logic rule (two keys)', path: 'users.toNative.given', value: { rule: { var: 'userName', cat: ['a'] } }, at: 'users.toNative.given.rule', says: 'exactly one key' },
    { name: 'an unknown operation', path: 'users.toNative.given', value: { rule: { shout: [{ var: 'userName' }] } }, at: 'users.toNative.given.rule.shout', says: 'unknown operation "shout"' },
    { name: "json-logic's log, left out on purpose", path: 'users.toNative.given', value: { rule: { log: 'x' } }, at: 'users.toNative.given.rule.log', says: 'unknown operation "log"' },
    { name: 'an unknown alias in a rule', path: 'users.toNative.given', value: { rule: { var: 'boss.manager.value' } }, at: 'users.toNative.given.rule.var', says: '"boss" in "boss.manager.value" is neither a User attribute nor an alias (aliases: enterprise, demo)' },
    { name: 'an unknown attribute of an alias', path: 'users.toNative.given', value: { rule: { var: 'demo.shoeSize' } }, at: 'users.toNative.given.rule.var', says: '"shoeSize" in "demo.shoeSize" is not an attribute' },
    { name: 'a sub-attribute that does not exist', path: 'users.toNative.given', value: { rule: { var: 'name.nickname' } }, at: 'users.toNative.given.rule.var', says: '"nickname" in "name.nickname" is not a sub-attribute of "name"' },
    { name: '"value" without "from"', path: 'users.toNative.given', value: { rule: { upper: [{ var: 'value' }] } }, at: 'users.toNative.given.rule.upper.0.var', says: '"value" only exists in a rule that has "from"' },
    { name: 'a wrong number of arguments', path: 'users.toNative.given', value: { from: 'userName', rule: { format_date: [{ var: 'value' }] } }, at: 'users.toNative.given.rule.format_date', says: 'takes 2 argument(s), found 1' },
    { name: 'a date layout without a year', path: 'users.toNative.start', value: { from: 'demo.startDate', rule: { format_date: [{ var: 'value' }, 'MM/DD'] } }, at: 'users.toNative.start.rule.format_date', says: 'must contain YYYY' },
    { name: 'an unknown lookup table', path: 'users.toNative.country', value: { from: 'demo.country', rule: { lookup: [{ var: 'value' }, 'planets'] } }, at: 'users.toNative.country.rule.lookup.1', says: 'unknown table "planets" (tables: countries)' },
    { name: 'an unknown SCIM path in from', path: 'users.toNative.given', value: 'name.nickname', at: 'users.toNative.given.from', says: 'unknown attribute "name.nickname"' },
    { name: 'an unknown alias in from', path: 'users.toNative.given', value: 'boss.manager.value', at: 'users.toNative.given.from', says: '"boss" is neither an attribute nor an alias' },
    { name: 'a broken filter in from', path: 'users.toNative.given', value: 'emails[type eq].value', at: 'users.toNative.given.from', says: 'is not a SCIM attribute path' },
    { name: 'a toScim target that cannot be written', path: 'users.toScim.emails', value: 'email', at: 'users.toScim.emails', says: 'is multi-valued: write it with a filter' },
    { name: 'a toScim target with a non-equality filter', path: 'users.toScim', value: { 'emails[type ne "work"].value': 'email' }, at: 'users.toScim.emails[type ne "work"].value', says: 'only filters of "eq" terms' },
    { name: 'a toScim target that is write-only', path: 'users.toScim.password', value: 'secret', at: 'users.toScim.password', says: '"password" is write-only (returned: never): a native record cannot supply it' },
    { name: 'a required attribute that does not exist', path: 'users.requires', value: ['name.nickname'], at: 'users.requires.0', says: 'unknown attribute "name.nickname"' },
    { name: 'a required attribute with a filter', path: 'users.requires', value: ['emails[type eq "work"].value'], at: 'users.requires.0', says: 'an attribute or a sub-attribute, without a filter' },
    { name: 'a required read-only attribute', path: 'users.requires', value: ['id'], at: 'users.requires.0', says: '"id" is read-only' },
    { name: 'a required write-only attribute', path: 'users.requires', value: ['password'], at: 'users.requires.0', says: '"password" is write-only: the gateway does not keep it, so no update could carry it' },
    { name: 'neither from, rule nor const', path: 'users.toNative.given', value: { default: 'x' }, at: 'users.toNative.given', says: 'needs "from", "rule" or "const"' },
    { name: 'a native field that is a prototype key', path: 'users.toNative', value: { '__proto__.x': 'userName' }, at: 'users.toNative.__proto__.x', says: 'must not name a prototype key' },
    { name: 'a path template with an unknown parameter', path: 'users.operations.read.path', value: '/people/{personId}', at: 'users.operations.read.path', says: 'unknown parameter {personId} in "/people/{personId}" (this operation offers {id})' },
    { name: 'a create path with a parameter', path: 'users.operations.create.path', value: '/people/{id}', at: 'users.operations.create.path', says: 'unknown parameter {id}' },
    { name: 'a path with a dot segment', path: 'users.operations.read.path', value: '/people/../admin/{id}', at: 'users.operations.read.path', says: 'no "." or ".." segments' },
    { name: 'a query in the path', path: 'users.operations.read.path', value: '/people/{id}?all=1', at: 'users.operations.read.path', says: 'put query parameters under "query"' },
    { name: 'an unknown parameter in a query', path: 'users.operations.search.query', value: { email: '{email}' }, at: 'users.operations.search.query', says: 'unknown parameter {email} (this operation offers {value})' },
    { name: 'a Location template without {id}', path: 'users.operations.create.id', value: { location: '/people/{key}' }, at: 'users.operations.create.id.location', says: 'must contain {id} once' },
    { name: 'an unknown search attribute', path: 'users.operations.search.by', value: ['shoeSize'], at: 'users.operations.search.by.0', says: 'unknown attribute "shoeSize"' },
    { name: 'thenRead without a read operation', path: 'users.operations', value: { create: { method: 'POST', path: '/p', id: { body: 'id' } }, update: { method: 'PUT', path: '/p/{id}' }, search: { method: 'GET', path: '/p', match: 'email', by: ['userName'], thenRead: true } }, at: 'users.operations.search.thenRead', says: 'needs a "read" operation' },
    { name: 'endpoint deactivation without its operations', path: 'users.active', value: { mode: 'endpoint' }, at: 'users.active', says: '"endpoint" needs a "deactivate" operation' },
    { name: 'a flag field also mapped', path: 'users.active.field', value: 'email', at: 'users.active.field', says: '"email" is set by the flag; remove it from toNative' },
    { name: 'native delete without a delete operation', path: 'users.delete', value: 'native', at: 'users.delete', says: '"native" needs a "delete" operation' },
    { name: 'an unknown key', path: 'users.colour', value: 'blue', at: 'users', says: 'unknown key(s) "colour"' },
    { name: 'an unknown paging style', path: 'users.operations.search.paging', value: { style: 'scroll' }, at: 'users.operations.search.paging.style', says: '' },
    { name: 'an auth template naming an undeclared credential', path: 'connection.auth.value', value: '{apiToken}', at: 'connection.auth.value', says: 'unknown parameter {apiToken} (credentials are {apiKey})' },
    { name: 'an invalid SCIM status/scimType pair', path: 'errors', value: [{ status: 400, scim: { status: 404, scimType: 'invalidValue' } }], at: 'errors.0.scim', says: 'scimType invalidValue goes with status 400, not 404' },
    { name: 'an unknown scimType', path: 'errors', value: [{ status: 400, scim: { status: 400, scimType: 'oops' } }], at: 'errors.0.scim.scimType', says: 'unknown scimType "oops"' },
    { name: 'an error rule with neither scim nor ignore', path: 'errors', value: [{ status: 400 }], at: 'errors.0', says: 'give "scim"' },
    { name: 'an alias taken by a core attribute', path: 'schemas.1.alias', value: 'emails', at: 'schemas.1.alias', says: 'alias "emails" is taken' },
    { name: 'a schema file outside the plugin', path: 'schemas.1.file', value: '../../etc/demo.yaml', at: 'schemas.1.file', says: 'must be inside the plugin directory' },
    { name: 'a schema file defining another URN', path: 'schemas.1.urn', value: 'urn:example:params:scim:schemas:extension:other:2.0:User', at: 'schemas.1.urn', says: 'defines urn:example:params:scim:schemas:extension:demo:2.0:User, not' },
    { name: 'a name that is not the directory', path: 'name', value: 'other', at: 'name', says: 'must be the directory\'s name, "demo"' },
    // Plugin format v2: what start-up or the first request would otherwise hit.
    { name: 'a token URL neither absolute nor below the base URL', path: 'connection.auth', value: { type: 'token', request: { url: 'auth', json: { key: '{apiKey}' } }, token: 'data.token' }, at: 'connection.auth.request.url', says: 'or a path starting with "/" below the app\'s base URL' },
    { name: 'an OAuth2 token URL that is neither', path: 'connection.auth', value: { type: 'oauth2', tokenUrl: 'oauth/token', clientId: 'x', clientSecret: '{apiKey}' }, at: 'connection.auth.tokenUrl', says: 'must be an absolute http(s) URL' },
    { name: 'a token request naming an undeclared credential', path: 'connection.auth', value: { type: 'token', request: { url: '/auth', json: { client_secret: '{secret}' } }, token: 'data.token' }, at: 'connection.auth.request.json.client_secret', says: 'unknown parameter {secret}' },
    { name: 'a match field the search results do not provide', path: 'users.operations.search.fields', value: { given: 'attributes.given.value' }, at: 'users.operations.search.match', says: '"email" is not a field of the search results' },
    { name: 'a match field the create does not send', path: 'users.operations.search.match', value: 'mail', at: 'users.operations.search.match', says: '"mail" is not a toNative field' },
    { name: 'an active flag no read path provides', path: 'users.operations.read', value: { method: 'GET', path: '/people/{id}', record: 'data', fields: { email: 'attributes.email.value' } }, at: 'users.active.field', says: '"enabled" is the active flag, but operations.read.fields does not provide it' },
    { name: 'a toScim field the search results do not provide', path: 'users.operations.search.fields', value: { email: 'attributes.email.value', id: 'id' }, at: 'users.toScim', says: 'reads "given", which operations.search.fields does not provide' },
    { name: 'a read-side pattern without {field}', path: 'users.operations.search.fields', value: { '*': 'attributes.value' }, at: 'users.operations.search.fields.*', says: 'the pattern must contain {field} once' },
    { name: 'a read-back without a read operation', path: 'users.operations', value: { create: { method: 'POST', path: '/p', id: { body: 'id' }, verify: 'readBack' }, update: { method: 'PUT', path: '/p/{id}' } }, at: 'users.operations.create.verify', says: '"readBack" needs a "read" operation' },
    { name: 'a create body without {fields}', path: 'users.operations.create.body', value: { employee: {} }, at: 'users.operations.create.body', says: 'must hold "{fields}" once' },
    { name: 'an id found by a search with no search', path: 'users.operations', value: { create: { method: 'POST', path: '/p', id: { search: true } }, update: { method: 'PUT', path: '/p/{id}' } }, at: 'users.operations.create.id', says: 'needs a "search" operation' },
    { name: 'a field the update never sends, with no twin', path: 'users.toNative.given', value: { from: 'name.givenName', in: ['create'] }, at: 'users.toNative.given.in', says: 'a change would go nowhere' },
    { name: 'createOnly on a read mapping', path: 'users.toScim.userName', value: { from: 'email', createOnly: 'refuse' }, at: 'users.toScim.userName.createOnly', says: 'toNative only' },
    { name: 'flag states that leave out the value written', path: 'users.active', value: { mode: 'flag', field: 'enabled', active: 'on', inactive: 'off', states: { active: ['yes'], inactive: ['off'] } }, at: 'users.active.states.active', says: 'must list the value written for active, "on"' },
    { name: 'native group creates without a search', path: 'groups', value: { operations: { create: { method: 'POST', path: '/groups', id: { body: 'id' } } }, toNative: { name: 'displayName' }, delete: 'ignore' }, at: 'groups.operations.search', says: 'or it would make a second native group' },
    { name: 'groups that are never created, with a create', path: 'groups', value: { create: 'never', operations: { create: { method: 'POST', path: '/groups', id: { body: 'id' } }, search: { method: 'GET', path: '/groups', match: 'name', by: ['displayName'] } }, toNative: { name: 'displayName' }, delete: 'ignore' }, at: 'groups.operations.create', says: 'remove this operation' },
    { name: 'members mapped on the group while kept on users', path: 'groups', value: { create: 'never', members: { on: 'user', field: 'group_ids' }, operations: { search: { method: 'GET', path: '/groups', match: 'name', by: ['displayName'] } }, toNative: { name: 'displayName', ids: { from: 'members.value', reference: 'User' } }, delete: 'ignore' }, at: 'groups.toNative', says: 'do not map them here' },
    { name: 'a 2xx rule that ignores', path: 'errors', value: [{ status: 200, bodyField: { path: 'meta', notEmpty: true }, ignore: true }], at: 'errors.0.ignore', says: 'is success already' },
    { name: 'a body-field rule with nothing to compare', path: 'errors', value: [{ status: 200, bodyField: { path: 'meta' }, scim: { status: 400, scimType: 'invalidValue' } }], at: 'errors.0.bodyField', says: 'give "equals"' },
  ];

  it.each(rows)('reports $name at $at', ({ path, value, at, says }) => {
    const { file, problems } = problemsOf((p) => edit(p, path, value));
    const prefix = `${relative(process.cwd(), file)}: ${at}: `;
    expect(problems, problems.join('\n')).toContainEqual(expect.stringContaining(prefix));
    expect(problems.find((p) => p.startsWith(prefix))).toContain(says);
  });

  it('reports every problem at once', () => {
    const { problems } = problemsOf((p) => {
      edit(p, 'users.toNative.given', { rule: { shout: [] } });
      edit(p, 'users.operations.read.path', '/people/{who}');
      edit(p, 'users.delete', 'native');
    });
    expect(problems).toHaveLength(3);
  });

  it('names the schema file and the path in it when a schema is wrong', () => {
    const root = writePlugins({ demo: { yaml: basePlugin(), files: { 'schemas/demo.yaml': 'id: not-a-urn\nname: X\nresourceType: User\nattributes: []\n' } } });
    const { problems } = loadPlugin(root, 'demo');
    expect(problems).toContainEqual(expect.stringMatching(/demo[/\\]schemas[/\\]demo\.yaml: id: must be a URN$/));
    expect(problems).toContainEqual(expect.stringMatching(/demo[/\\]schemas[/\\]demo\.yaml: attributes: /));
  });

  it('reports YAML syntax errors with the file', () => {
    const root = writePlugins({ demo: { yaml: 'name: demo\nusers: [unclosed\n' } });
    expect(loadPlugin(root, 'demo').problems).toEqual([expect.stringMatching(/demo[/\\]plugin\.yaml:2:8: "\[" is never closed/)]);
  });

  it('refuses plugin names that could leave the plugins directory', () => {
    const root = writePlugins({ demo: { yaml: basePlugin() } });
    for (const name of ['../demo', 'demo/../../x', '', 'Demo']) {
      expect(loadPlugin(root, name).problems[0]).toContain('plugin names are 1-63 lowercase letters');
    }
    expect(loadPlugin(root, 'missing').notFound).toContain('no plugin "missing"');
  });
});
