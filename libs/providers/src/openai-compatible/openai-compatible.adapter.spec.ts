import { createJsonTap } from '../json-tap';
import { createStreamTap } from '../stream-tap';
import { createOpenAICompatibleAdapter, parseOpenAICompatibleAuth } from './openai-compatible.adapter';

describe('OpenAI-compatible adapters made from data', () => {
  it.each([
    ['bearer', { kind: 'bearer' }],
    ['header:api-key', { kind: 'header', name: 'api-key' }],
    ['header: X-Api-Key ', { kind: 'header', name: 'x-api-key' }],
  ])('parses auth %j', (auth, expected) => {
    expect(parseOpenAICompatibleAuth(auth, 'providers[0]')).toEqual(expected);
  });

  it.each(['', 'Bearer', 'basic', 'header:', 'header:bad name', 'header:content-length', 'header:cookie', 'header:X-NavPlane-Key'])(
    'refuses auth %j, naming where it came from',
    (auth) => {
      expect(() => parseOpenAICompatibleAuth(auth, 'providers[3]')).toThrow(/^providers\[3\]: auth must be/);
    },
  );

  it.each(['', 'Groq', 'a/b', '../x', 'x'.repeat(65), '-x'])('refuses the id %j', (id) => {
    expect(() => createOpenAICompatibleAdapter(id, { kind: 'bearer' })).toThrow(/provider id/);
  });

  it('is routed at /<id>/v1 on the OpenAI API paths, with no root alias and no prices', () => {
    const groq = createOpenAICompatibleAdapter('groq', { kind: 'bearer' });
    expect(groq).toMatchObject({ id: 'groq', routePrefix: '/groq', pathPrefixes: ['/v1/'], rootAliases: [], keyPrefixes: [] });
    expect(groq.isAllowedPath('POST', '/v1/chat/completions')).toBe(true);
    expect(groq.isAllowedPath('GET', '/v1/models')).toBe(true);
    expect(groq.isAllowedPath('GET', '/v1/organization/users')).toBe(false);
    expect(groq.prices.rows).toEqual([]);
  });

  it('sends its key as its auth says and takes a client key in that header', () => {
    const bearer = createOpenAICompatibleAdapter('together', { kind: 'bearer' });
    expect(bearer.vaultAuthHeaders('k-1')).toEqual({ authorization: 'Bearer k-1' });
    expect(bearer.keyHeaders).toEqual([{ name: 'authorization', scheme: 'bearer' }]);
    const header = createOpenAICompatibleAdapter('local', { kind: 'header', name: 'api-key' });
    expect(header.vaultAuthHeaders('k-2')).toEqual({ 'api-key': 'k-2' });
    expect(header.keyHeaders).toEqual([{ name: 'api-key' }]);
  });

  it('forwards the OpenAI SDK’s telemetry headers but none of OpenAI’s own', () => {
    const adapter = createOpenAICompatibleAdapter('deepseek', { kind: 'bearer' });
    expect(adapter.forwardedHeaderNames.has('x-stainless-lang')).toBe(true);
    for (const name of ['openai-organization', 'openai-project', 'openai-beta', 'authorization']) {
      expect(adapter.forwardedHeaderNames.has(name)).toBe(false);
    }
  });

  it('reads usage like OpenAI, and asks for exact stream usage on chat completions', () => {
    const adapter = createOpenAICompatibleAdapter('ollama', { kind: 'bearer' });
    expect(adapter.needsRequestBody('POST', '/v1/chat/completions')).toBe(true);
    const prepared = adapter.prepareRequest('/v1/chat/completions', { model: 'llama3.2', stream: true, messages: [] });
    expect(prepared).toMatchObject({ changed: true, stripUsageChunk: true, model: 'llama3.2' });
    const json = createJsonTap({ adapter, pathSuffix: '/v1/chat/completions' });
    json.push(Buffer.from('{"model":"llama3.2","usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}'));
    expect(json.result()).toMatchObject({ model: 'llama3.2', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } });
    const stream = createStreamTap({ adapter, stripUsageChunk: true });
    const forwarded = stream.push(
      Buffer.from(
        'data: {"model":"llama3.2","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}\n\n' +
          'data: {"model":"llama3.2","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\n' +
          'data: [DONE]\n\n',
      ),
    );
    expect(Buffer.concat(forwarded).toString()).toBe(
      'data: {"model":"llama3.2","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n',
    );
    expect(stream.result()).toMatchObject({ complete: true, usage: { inputTokens: 5, outputTokens: 1 } });
  });
});
