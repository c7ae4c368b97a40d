import { openaiAdapter } from './openai.adapter';

describe('openai usage and model from JSON responses', () => {
  it.each([
    [
      'chat completion with cached tokens',
      '/v1/chat/completions',
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4o-mini-2024-07-18',
        choices: [],
        usage: {
          prompt_tokens: 2006,
          completion_tokens: 300,
          total_tokens: 2306,
          prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
      { inputTokens: 2006, outputTokens: 300, cacheReadTokens: 1920, cacheWriteTokens: 0, totalTokens: 2306 },
    ],
    [
      'chat completion without details',
      '/v1/chat/completions',
      { model: 'gpt-4o', usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } },
      { inputTokens: 9, outputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 21 },
    ],
    [
      'Responses API (reasoning tokens are output)',
      '/v1/responses',
      {
        object: 'response',
        model: 'o4-mini-2025-04-16',
        usage: {
          input_tokens: 328,
          input_tokens_details: { cached_tokens: 128 },
          output_tokens: 52,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 380,
        },
      },
      { inputTokens: 328, outputTokens: 52, cacheReadTokens: 128, cacheWriteTokens: 0, totalTokens: 380 },
    ],
    [
      'embeddings',
      '/v1/embeddings',
      { object: 'list', data: [], model: 'text-embedding-3-small', usage: { prompt_tokens: 8, total_tokens: 8 } },
      { inputTokens: 8, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 8 },
    ],
    [
      'a model that reports cache writes',
      '/v1/responses',
      {
        model: 'x',
        usage: {
          input_tokens: 100,
          input_tokens_details: { cached_tokens: 20, cache_write_tokens: 50 },
          output_tokens: 1,
        },
      },
      { inputTokens: 100, outputTokens: 1, cacheReadTokens: 20, cacheWriteTokens: 50, totalTokens: 101 },
    ],
    [
      'cached tokens over the prompt (clamped)',
      '/v1/chat/completions',
      { usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 50 } } },
      { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0, totalTokens: 11 },
    ],
  ])('reads %s', (_name, path, json, expected) => {
    expect(openaiAdapter.usageFromJson(path, json)).toEqual(expected);
  });

  it.each([
    ['a route without billable usage', '/v1/models', { usage: { prompt_tokens: 1 } }],
    ['a retrieved response (already counted)', '/v1/responses/resp_1', { usage: { input_tokens: 1, output_tokens: 1 } }],
    ['a body without usage', '/v1/chat/completions', { id: 'x' }],
    ['usage with no counts', '/v1/chat/completions', { usage: { prompt_tokens: 'ten' } }],
    ['an error body', '/v1/chat/completions', { error: { message: 'bad', type: 'invalid_request_error' } }],
    ['not an object', '/v1/chat/completions', 'text'],
  ])('gives undefined for %s', (_name, path, json) => {
    expect(openaiAdapter.usageFromJson(path, json)).toBeUndefined();
  });

  it('reads the model of a response', () => {
    expect(openaiAdapter.modelFromJson({ model: 'gpt-4o-2024-08-06' })).toBe('gpt-4o-2024-08-06');
    expect(openaiAdapter.modelFromJson({ model: '' })).toBeUndefined();
    expect(openaiAdapter.modelFromJson(null)).toBeUndefined();
  });
});
