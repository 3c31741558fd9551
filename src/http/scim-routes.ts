/**
 * The SCIM endpoints of one app (RFC 7644 §3): mounted under /apps/:app/scim/v2 after authentication.
 * Each handler reads the request, calls the resource service and writes the response; no SCIM logic
 * lives here.
 */
import { Router, type Request, type Response } from 'express';
import * as discovery from '../scim/discovery.js';
import { methodNotAllowed, notFound, invalidSyntax, ScimError } from '../scim/errors.js';
import { etagOf, headerMatches } from '../scim/etag.js';
import { limitMembers } from '../scim/member-count.js';
import { parseListParams, parseSearchRequest, type ListLimits } from '../scim/list.js';
import { parseAttributeList } from '../scim/projection.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import type { RequestContext, ResourceService } from '../service/resources.js';
import type { ScanLimits } from '../service/scan.js';
import { searchAllTypes } from '../service/search-all.js';
import { strictBody, type WriteKind } from './dialect.js';
import { sendScim } from './respond.js';
import type { Dialect } from '../dialect/types.js';

export interface RoutedApp {
  name: string;
  registry: SchemaRegistry;
  service: ResourceService;
  /** The client's quirks, undone at the door (strictBody) before the service sees a write. */
  dialect: Dialect;
  /** What the downstream system cannot do (groups it cannot create...), said in /ServiceProviderConfig. */
  limitations?: readonly string[];
}

export interface RouteOptions {
  /** Absolute URL the gateway is reached at; when absent it is taken from the request. */
  publicUrl?: string | undefined;
  limits: ListLimits;
  /** Group members one request may carry (server.maxMembersPerRequest). */
  maxMembersPerRequest: number;
  /** What a list may examine in memory (server.maxScanCandidates). */
  scan: ScanLimits;
}

const SANE_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function baseUrlOf(req: Request, app: string, publicUrl: string | undefined): string {
  let origin = publicUrl?.replace(/\/+$/, '');
  if (!origin) {
    // Host is client-controlled: only a well-formed one is echoed into meta.location.
    const host = req.get('host');
    origin = `${req.protocol}://${host && SANE_HOST.test(host) ? host : 'localhost'}`;
  }
  return `${origin}/apps/${app}/scim/v2`;
}

function appOf(res: Response): RoutedApp {
  return res.locals.app as RoutedApp;
}

function contextOf(req: Request, res: Response, options: RouteOptions): RequestContext {
  return { requestId: req.id, baseUrl: baseUrlOf(req, appOf(res).name, options.publicUrl) };
}

function bodyOf(req: Request): unknown {
  if (req.body === undefined) {
    throw invalidSyntax('A JSON body with Content-Type application/scim+json is required');
  }
  return req.body;
}

/** A write's body, its group members counted against the bound before any other work, then made strict RFC 7644. */
function writeBodyOf(req: Request, res: Response, type: ResourceTypeName, request: WriteKind, options: RouteOptions): unknown {
  const body = bodyOf(req);
  if (type === 'Group') limitMembers(body, request, options.maxMembersPerRequest);
  const app = appOf(res);
  return strictBody(app.dialect, { registry: app.registry, type }, request, body);
}

const idOf = (req: Request): string => String(req.params.id);
const ifMatchOf = (req: Request): string | undefined => req.get('if-match');

function projectionOf(req: Request) {
  const attributes = parseAttributeList(req.query.attributes);
  const excludedAttributes = parseAttributeList(req.query.excludedAttributes, 'excludedAttributes');
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) };
}

function resourceRoutes(router: Router, type: ResourceTypeName, options: RouteOptions): void {
  const base = type === 'User' ? '/Users' : '/Groups';

  router.get(base, async (req, res) => {
    const params = parseListParams(req.query as Record<string, unknown>, options.limits);
    sendScim(res, 200, await appOf(res).service.list(type, params, contextOf(req, res, options), options.scan));
  });

  router.post(`${base}/.search`, async (req, res) => {
    const params = parseSearchRequest(bodyOf(req), options.limits);
    sendScim(res, 200, await appOf(res).service.list(type, params, contextOf(req, res, options), options.scan));
  });

  router.post(base, async (req, res) => {
    const { resource, version } = await appOf(res).service.create(type, writeBodyOf(req, res, type, 'resource', options), contextOf(req, res, options));
    const location = (resource.meta as { location: string }).location;
    sendScim(res, 201, resource, { Location: location, ETag: etagOf(version) });
  });

  router.get(`${base}/:id`, async (req, res) => {
    const { resource, version } = await appOf(res).service.get(type, idOf(req), contextOf(req, res, options), projectionOf(req));
    const ifNoneMatch = req.get('if-none-match');
    if (ifNoneMatch !== undefined && headerMatches(ifNoneMatch, version)) {
      sendScim(res, 304, undefined, { ETag: etagOf(version) });
      return;
    }
    sendScim(res, 200, resource, { ETag: etagOf(version) });
  });

  router.put(`${base}/:id`, async (req, res) => {
    const body = writeBodyOf(req, res, type, 'resource', options);
    const { resource, version } = await appOf(res).service.replace(type, idOf(req), body, contextOf(req, res, options), ifMatchOf(req));
    sendScim(res, 200, resource, { ETag: etagOf(version) });
  });

  router.patch(`${base}/:id`, async (req, res) => {
    const body = writeBodyOf(req, res, type, 'patch', options);
    const { resource, version } = await appOf(res).service.patch(type, idOf(req), body, contextOf(req, res, options), ifMatchOf(req));
    // Entra handles group PATCH best with 204 (ENTRA.md #14); users get the resource back (RFC 7644 §3.5.2).
    if (type === 'Group' && req.query.attributes === undefined) sendScim(res, 204, undefined, { ETag: etagOf(version) });
    else sendScim(res, 200, resource, { ETag: etagOf(version) });
  });

  router.delete(`${base}/:id`, async (req, res) => {
    await appOf(res).service.delete(type, idOf(req), contextOf(req, res, options), ifMatchOf(req));
    sendScim(res, 204);
  });

  router.all([base, `${base}/:id`, `${base}/.search`], () => {
    throw methodNotAllowed('This method is not supported on this endpoint');
  });
}

function discoveryRoutes(router: Router, options: RouteOptions): void {
  router.get('/ServiceProviderConfig', (req, res) => {
    sendScim(res, 200, discovery.serviceProviderConfig(contextOf(req, res, options).baseUrl, options.limits, appOf(res).limitations));
  });
  router.get('/ResourceTypes', (req, res) => {
    sendScim(res, 200, discovery.resourceTypes(appOf(res).registry, contextOf(req, res, options).baseUrl));
  });
  router.get('/ResourceTypes/:id', (req, res) => {
    const doc = discovery.resourceType(appOf(res).registry, contextOf(req, res, options).baseUrl, idOf(req));
    if (!doc) throw notFound(`No resource type ${idOf(req)}`);
    sendScim(res, 200, doc);
  });
  router.get('/Schemas', (req, res) => {
    sendScim(res, 200, discovery.schemas(appOf(res).registry, contextOf(req, res, options).baseUrl));
  });
  router.get('/Schemas/:id', (req, res) => {
    const doc = discovery.schema(appOf(res).registry, contextOf(req, res, options).baseUrl, idOf(req));
    if (!doc) throw notFound(`No schema ${idOf(req)}`);
    sendScim(res, 200, doc);
  });
}

/** POST /.search at the app root: Users and Groups in one ListResponse (RFC 7644 §3.4.3). */
function rootSearchRoute(router: Router, options: RouteOptions): void {
  router.post('/.search', async (req, res) => {
    const params = parseSearchRequest(bodyOf(req), options.limits);
    const app = appOf(res);
    sendScim(res, 200, await searchAllTypes(app.service, app.registry, params, contextOf(req, res, options), options.scan));
  });
  router.all('/.search', () => {
    throw methodNotAllowed('A search across resource types is a POST');
  });
}

export function scimRoutes(options: RouteOptions): Router {
  const router = Router({ caseSensitive: false, strict: false });
  discoveryRoutes(router, options);
  rootSearchRoute(router, options);
  resourceRoutes(router, 'User', options);
  resourceRoutes(router, 'Group', options);
  router.all('/Bulk', () => {
    throw new ScimError(501, undefined, 'Bulk operations are not supported');
  });
  router.use(() => {
    throw notFound('No such SCIM endpoint');
  });
  return router;
}
