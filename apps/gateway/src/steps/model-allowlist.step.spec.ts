import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { AuthenticatedKey } from '@navplane/auth';
import { AppError } from '@navplane/core';
import { anthropicAdapter, geminiAdapter, openaiAdapter, type ProviderAdapter } from '@navplane/providers';
import type { Authenticated } from '../gateway-context';
import { Refusal, type StepResult } from '../pipeline/pipeline';
import { checkModelAllowlist, type ModelChecked } from './model-allowlist.step';
import { readBodyWhenNeeded } from './request-body.step';
import { UpstreamCredential } from '../pipeline/upstream-credential';

const LIMITED: AuthenticatedKey = {
  id: 'key_1',
  orgId: 'org_1',
  workspaceId: null,
  scopes: ['proxy'],
  name: 'k',
  models: new Set(['gpt-4.1-mini']),
};
const OPEN: AuthenticatedKey = { id: 'key_2', orgId: 'org_1', workspaceId: null, scopes: ['proxy'], name: 'k' };

function contextFor(adapter: ProviderAdapter, method: string, pathSuffix: string, key: AuthenticatedKey): Authenticated {
  return {
    traceId: 'trc_1',
    requestId: 'req_1',
    method,
    path: `${adapter.routePrefix}${pathSuffix}`,
    rawQuery: '',
    startedAt: 0,
    startedAtMs: 0,
    lineage: { traceGroup: null, threadId: null, runId: null, parentTraceId: null },
    route: { adapter, pathSuffix, baseUrl: 'http://127.0.0.1:1' },
    key,
    credentialMode: 'vault',
  };
}

/** A complete request whose body is buffered (or, `streaming`, still arriving: nothing pushed yet). */
function message(body: string | undefined, headers: Record<string, string> = {}, streaming = false): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  Object.assign(req.headers, { 'content-type': 'application/json' }, headers);
  if (body !== undefined) req.headers['content-length'] = String(Buffer.byteLength(body));
  if (streaming) return req;
  if (body !== undefined) req.push(Buffer.from(body));
  req.complete = true;
  req.push(null);
  return req;
}

const step = checkModelAllowlist({ maxBodyBytes: 1024 });
const run = (context: Authenticated, req: IncomingMessage): StepResult<ModelChecked> | Promise<StepResult<ModelChecked>> =>
  step.run(context, { req });
const code = (result: StepResult<ModelChecked>) =>
  result instanceof Refusal ? result.error.code : result instanceof AppError ? result.code : 'passed';

describe('checkModelAllowlist', () => {
  it('costs a key without an allowlist nothing: synchronous, no body read', () => {
    const req = message('{"model":"anything"}');
    const result = run(contextFor(openaiAdapter, 'POST', '/v1/chat/completions', OPEN), req);
    expect(result).toEqual({});
    expect(req.readableLength).toBeGreaterThan(0); // the body is still in the request, untouched
  });

  it('passes a listed model and hands the body on; refuses another, recording the name', () => {
    const ok = run(contextFor(openaiAdapter, 'POST', '/v1/chat/completions', LIMITED), message('{"model":"gpt-4.1-mini"}'));
    expect(ok).toEqual({ model: 'gpt-4.1-mini', heldBody: Buffer.from('{"model":"gpt-4.1-mini"}') });
    const refused = run(contextFor(openaiAdapter, 'POST', '/v1/chat/completions', LIMITED), message('{"model":"gpt-4.1"}'));
    expect(refused).toBeInstanceOf(Refusal);
    if (!(refused instanceof Refusal)) return;
    expect(refused.error).toMatchObject({ code: 'model_not_allowed', message: 'This key may not use the model "gpt-4.1"' });
    expect(refused.known).toEqual({ model: 'gpt-4.1' });
  });

  it('bounds a huge model name in the message and keeps it out of the trace', () => {
    const model = 'x'.repeat(5000);
    const refused = run(contextFor(openaiAdapter, 'POST', '/v1/embeddings', LIMITED), message(JSON.stringify({ model }).slice(0, 1000)));
    expect(code(refused as StepResult<ModelChecked>)).toBe('model_not_allowed'); // cut JSON: unreadable
    const long = checkModelAllowlist({ maxBodyBytes: 1 << 20 }).run(contextFor(openaiAdapter, 'POST', '/v1/embeddings', LIMITED), {
      req: message(JSON.stringify({ model })),
    });
    if (!(long instanceof Refusal)) throw new Error('expected a refusal');
    expect(long.error.message.length).toBeLessThan(400);
    expect(long.known).toEqual({});
  });

  it('lets model-less routes through without reading anything', () => {
    for (const [adapter, method, path] of [
      [openaiAdapter, 'GET', '/v1/models'],
      [openaiAdapter, 'POST', '/v1/files'],
      [anthropicAdapter, 'GET', '/v1/models'],
      [geminiAdapter, 'GET', '/v1beta/models'],
    ] as const) {
      const req = message(undefined);
      expect(run(contextFor(adapter, method, path, LIMITED), req)).toEqual({});
    }
  });

  it('checks a URL model without touching the body', () => {
    const req = message('{"contents":[]}');
    const path = '/v1beta/models/gemini-2.5-pro:generateContent';
    expect(code(run(contextFor(geminiAdapter, 'POST', path, LIMITED), req) as StepResult<ModelChecked>)).toBe('model_not_allowed');
    expect(req.readableLength).toBeGreaterThan(0);
    const gemini: AuthenticatedKey = { ...LIMITED, models: new Set(['gemini-2.5-pro']) };
    expect(run(contextFor(geminiAdapter, 'POST', path, gemini), message('{}'))).toEqual({ model: 'gemini-2.5-pro' });
  });

  it('refuses a model-bearing request that names none, and an unreadable one; counting without a model passes', () => {
    const none = run(contextFor(openaiAdapter, 'POST', '/v1/chat/completions', LIMITED), message('{"messages":[]}'));
    expect(code(none as StepResult<ModelChecked>)).toBe('model_not_allowed');
    const empty = run(contextFor(openaiAdapter, 'POST', '/v1/chat/completions', LIMITED), message(undefined));
    expect(code(empty as StepResult<ModelChecked>)).toBe('model_not_allowed');
    const batch = run(contextFor(openaiAdapter, 'POST', '/v1/batches', LIMITED), message('{"model":"gpt-4.1-mini"}'));
    expect(code(batch as StepResult<ModelChecked>)).toBe('model_not_allowed');
    const counting = run(contextFor(anthropicAdapter, 'POST', '/v1/messages/count_tokens', LIMITED), message('{"messages":[]}'));
    expect(counting).toEqual({ heldBody: Buffer.from('{"messages":[]}') });
  });

  it('reads a body still arriving, bounded: 413 over the limit', async () => {
    const req = message('{"model":"gpt-4.1-mini"}', {}, true);
    const pending = run(contextFor(openaiAdapter, 'POST', '/v1/embeddings', LIMITED), req);
    expect(pending).toBeInstanceOf(Promise);
    req.push(Buffer.from('{"model":"gpt-4.1-mini"}'));
    req.push(null);
    expect(await pending).toEqual({ model: 'gpt-4.1-mini', heldBody: Buffer.from('{"model":"gpt-4.1-mini"}') });
    const big = message('x'.repeat(2000));
    expect(code(run(contextFor(openaiAdapter, 'POST', '/v1/embeddings', LIMITED), big) as StepResult<ModelChecked>)).toBe(
      'request_too_large',
    );
  });

  it('the body step forwards the held body (the request stream is already consumed)', async () => {
    const body = '{"model":"gpt-4.1-mini","input":"x"}';
    const req = message(body);
    const context = contextFor(openaiAdapter, 'POST', '/v1/embeddings', LIMITED);
    const checked = run(context, req);
    if (checked instanceof Promise || checked instanceof Refusal || checked instanceof AppError) throw new Error('expected a pass');
    const ready = await readBodyWhenNeeded({ maxBodyBytes: 1024, policyLimits: { maxBodyBytes: 1024, timeoutMs: 1000 } }).run(
      {
        ...context,
        ...checked,
        upstreamCredential: UpstreamCredential.none,
        policy: { effective: { policyId: null, scope: { type: 'default' }, mode: 'off', detectors: [] }, action: 'none' },
      },
      { req },
    );
    expect(ready).toMatchObject({ body: { kind: 'bytes', bytes: Buffer.from(body) } });
  });
});
