import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { openaiAdapter, type ProviderAdapter } from '@navplane/providers';
import type { WithPolicy } from '../gateway-context';
import { UpstreamCredential } from '../pipeline/upstream-credential';
import { readBodyWhenNeeded, type BodyReading } from './request-body.step';

// A provider that names the model in the URL (as Gemini's `models/{model}:generateContent` does), from the path.
const urlModelAdapter: ProviderAdapter = {
  ...openaiAdapter,
  id: 'url-model',
  routePrefix: '/url-model',
  needsRequestBody: () => false,
  requestModelSource: (_method, pathSuffix, rawQuery) => {
    const match = /^\/v1beta\/models\/([^/:]+):/.exec(pathSuffix);
    if (match) return { from: 'url', model: decodeURIComponent(match[1] ?? '') };
    const query = new URLSearchParams(rawQuery).get('model');
    return query === null ? undefined : { from: 'url', model: query };
  },
};

function contextFor(adapter: ProviderAdapter, method: string, pathSuffix: string, rawQuery = ''): WithPolicy {
  return {
    traceId: 'trc_1',
    requestId: 'req_1',
    method,
    path: `${adapter.routePrefix}${pathSuffix}`,
    rawQuery,
    startedAt: 0,
    startedAtMs: 0,
    lineage: { traceGroup: null, threadId: null, runId: null, parentTraceId: null },
    route: { adapter, pathSuffix, baseUrl: 'http://127.0.0.1:1' },
    key: { id: 'key_1', orgId: 'org_1', workspaceId: null, scopes: ['proxy'], name: 'test' },
    credentialMode: 'vault',
    upstreamCredential: UpstreamCredential.none,
    policy: { effective: { policyId: null, scope: { type: 'default' }, mode: 'off', detectors: [] }, action: 'none' },
  };
}

function message(body: string | undefined, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  Object.assign(req.headers, headers);
  if (body !== undefined) {
    req.headers['content-length'] = String(Buffer.byteLength(body));
    req.push(Buffer.from(body));
  }
  req.complete = true;
  req.push(null);
  return req;
}

async function read(context: WithPolicy, req: IncomingMessage): Promise<BodyReading> {
  const step = readBodyWhenNeeded({ maxBodyBytes: 1 << 20, policyLimits: { maxBodyBytes: 1 << 20, timeoutMs: 1000 } });
  const result = await step.run(context, { req });
  if (!('body' in result)) throw new Error('refused');
  return result;
}

describe('readBodyWhenNeeded: the model a request names', () => {
  it('takes it from the URL when the provider reads it there, with or without a body', async () => {
    const path = '/v1beta/models/gemini-2.5-flash:generateContent';
    const json = { 'content-type': 'application/json' };
    expect((await read(contextFor(urlModelAdapter, 'POST', path), message('{"contents":[]}', json))).model).toBe('gemini-2.5-flash');
    expect((await read(contextFor(urlModelAdapter, 'POST', path), message(undefined))).model).toBe('gemini-2.5-flash');
    expect((await read(contextFor(urlModelAdapter, 'GET', '/v1beta/files', 'model=m-1'), message(undefined))).model).toBe('m-1');
    expect((await read(contextFor(urlModelAdapter, 'GET', '/v1beta/files'), message(undefined))).model).toBeUndefined();
  });

  it('reads it from the body where the provider says the body names it', async () => {
    const context = contextFor(openaiAdapter, 'POST', '/v1/moderations');
    const reading = await read(context, message('{"input":"hi","model":"omni-moderation-latest"}', { 'content-type': 'application/json' }));
    expect(reading.model).toBe('omni-moderation-latest');
    expect((await read(contextFor(openaiAdapter, 'POST', '/v1/embeddings'), message('{"model":"x"}'))).model).toBeUndefined();
  });
});
