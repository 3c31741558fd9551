/**
 * `scim-bridge explain` for a scim app: the request through the same door and the real scim connector,
 * over a client that records each call and answers as a SCIM server would (a create gets a placeholder
 * id, a search finds nothing unless a sample answer is given). Nothing is sent.
 */
import { pino } from 'pino';
import type { SchemaRegistry } from '../../scim/schemas/registry.js';
import type { NativeClient, NativeRequest, NativeResponse } from '../http/types.js';
import { describeCall, driveConnector, NEW_NATIVE_ID, parseExplainInput, type ExplainedCall, type ExplainOptions } from '../rest/explain.js';
import type { ScimApp } from './app-config.js';
import { ScimConnector } from './connector.js';

export interface ExplainScimApp {
  name: string;
  dialect: 'entra' | 'strict';
  registry: SchemaRegistry;
  scim: ScimApp;
}

class RecordingScimClient implements NativeClient {
  readonly calls: NativeRequest[] = [];
  constructor(private readonly sample: unknown) {}

  async request(req: NativeRequest): Promise<NativeResponse> {
    this.calls.push(req);
    const answer = (status: number, body?: unknown): NativeResponse => ({ status, headers: {}, body, durationMs: 0 });
    if (req.method === 'GET') return answer(200, this.sample ?? { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });
    if (req.method === 'POST') return answer(201, { ...(req.body as object), id: NEW_NATIVE_ID });
    return answer(req.method === 'DELETE' ? 204 : 200);
  }

  async close(): Promise<void> {}
}

/** The calls `input` would make to the app; the normalize rules that shaped each write are noted on it. */
export async function explainScimRequest(app: ExplainScimApp, input: unknown, options: ExplainOptions = {}): Promise<ExplainedCall[]> {
  const req = parseExplainInput(input);
  const client = new RecordingScimClient(options.nativeSample);
  const connector = new ScimConnector(app.scim.plugin, app.scim.normalizer, client, pino({ level: 'silent' }));
  const placeholders = new Set<string>();
  await driveConnector(app, req, connector, placeholders);
  const rules = app.scim.normalizer.describe().map((rule) => `normalize ${rule}`);
  return client.calls.map((call) => describeCall(call, app.scim.connection.baseUrl, placeholders, call.method === 'GET' ? [] : rules));
}

