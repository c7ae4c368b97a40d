import { azureOpenAIAdapter } from './azure-openai.adapter';
import { azurePath } from './azure-openai.routes';

describe('azurePath', () => {
  it.each([
    ['/openai/v1/chat/completions', '/v1/chat/completions', undefined],
    ['/openai/responses', '/v1/responses', undefined],
    ['/openai/deployments/my-gpt4o/chat/completions', '/v1/chat/completions', 'my-gpt4o'],
    ['/openai/deployments/my%20model/embeddings', '/v1/embeddings', 'my model'],
    ['/openai/deployments//chat/completions', '/openai/deployments//chat/completions', undefined],
    ['/other', '/other', undefined],
  ])('%s → %s (deployment %s)', (suffix, openaiPath, deployment) => {
    expect(azurePath(suffix)).toEqual({ openaiPath, ...(deployment === undefined ? {} : { deployment }) });
  });
});

describe('azureOpenAIAdapter', () => {
  it("declares that its upstream is the tenant's own endpoint", () => {
    expect(azureOpenAIAdapter.tenantBaseUrl).toBe('required');
  });

  it('names the model a request runs for allowlists: the deployment on deployment paths, the body on v1 paths', () => {
    expect(azureOpenAIAdapter.modelSelection('POST', '/openai/deployments/my-gpt4o/chat/completions', 'api-version=2024-10-21')).toEqual({
      in: 'url',
      model: 'my-gpt4o',
    });
    expect(azureOpenAIAdapter.modelSelection('POST', '/openai/deployments/emb/embeddings', 'api-version=2024-10-21')).toEqual({
      in: 'url',
      model: 'emb',
    });
    expect(azureOpenAIAdapter.modelSelection('POST', '/openai/v1/chat/completions', '')).toEqual({ in: 'body', optional: false });
    expect(azureOpenAIAdapter.modelSelection('GET', '/openai/v1/models', '')).toEqual({ in: 'none' });
    expect(azureOpenAIAdapter.modelSelection('POST', '/openai/v1/no-such-route', '')).toEqual({ in: 'unreadable' });
  });

  it('joins the stored base URL with the Azure path and the query, unchanged', () => {
    expect(
      azureOpenAIAdapter.upstreamUrl('https://r.openai.azure.com', '/openai/deployments/d/chat/completions', 'api-version=2024-10-21'),
    ).toBe('https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21');
  });

  it.each(['/openai/v1/chat/completions', '/openai/deployments/d/chat/completions'])(
    'asks for exact stream usage on %s, as OpenAI (and hides it again)',
    (suffix) => {
      expect(azureOpenAIAdapter.needsRequestBody('POST', suffix)).toBe(true);
      const prepared = azureOpenAIAdapter.prepareRequest(suffix, { model: 'gpt-4o', stream: true, messages: [] });
      expect(prepared).toMatchObject({ changed: true, stream: true, stripUsageChunk: true, model: 'gpt-4o' });
      expect(prepared.body).toMatchObject({ stream_options: { include_usage: true } });
    },
  );

  it('reports usage on the usage routes of every form, and nowhere else', () => {
    expect(azureOpenAIAdapter.reportsUsage('POST', '/openai/deployments/d/embeddings')).toBe(true);
    expect(azureOpenAIAdapter.reportsUsage('POST', '/openai/v1/responses')).toBe(true);
    expect(azureOpenAIAdapter.reportsUsage('POST', '/openai/responses')).toBe(true);
    expect(azureOpenAIAdapter.reportsUsage('GET', '/openai/v1/models')).toBe(false);
    expect(
      azureOpenAIAdapter.usageFromJson('/openai/deployments/d/embeddings', { usage: { prompt_tokens: 3, total_tokens: 3 } }),
    ).toMatchObject({
      inputTokens: 3,
      outputTokens: 0,
    });
  });

  it('injects the stored key as api-key', () => {
    expect(azureOpenAIAdapter.vaultAuthHeaders('0123456789abcdef')).toEqual({ 'api-key': '0123456789abcdef' });
  });
});
