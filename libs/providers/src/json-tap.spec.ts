import { anthropicAdapter } from './anthropic/anthropic.adapter';
import { createJsonTap } from './json-tap';
import { openaiAdapter } from './openai/openai.adapter';

function feed(tap: ReturnType<typeof createJsonTap>, body: Buffer, size: number): void {
  for (let i = 0; i < body.length; i += size) tap.push(body.subarray(i, i + size));
}

describe('json tap', () => {
  const chat = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', content: 'say "usage":{"prompt_tokens":1}' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25, prompt_tokens_details: { cached_tokens: 0 } },
    service_tier: 'default',
    system_fingerprint: 'fp_1',
  };

  it('parses a small body whole', () => {
    const tap = createJsonTap({ adapter: openaiAdapter, pathSuffix: '/v1/chat/completions' });
    feed(tap, Buffer.from(JSON.stringify(chat)), 7);
    expect(tap.result()).toEqual({
      malformed: false,
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 20, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 25 },
    });
  });

  it('reads a large embeddings body from its head and tail windows only', () => {
    const data = Array.from({ length: 300 }, (_, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: 256 }, (_, k) => (k % 7) / 7 - 0.5),
    }));
    const body = Buffer.from(
      JSON.stringify({
        object: 'list',
        data,
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 4000, total_tokens: 4000 },
      }),
    );
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const tap = createJsonTap({ adapter: openaiAdapter, pathSuffix: '/v1/embeddings' });
    feed(tap, body, 16 * 1024);
    expect(tap.result()).toEqual({
      malformed: false,
      model: 'text-embedding-3-small',
      usage: { inputTokens: 4000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 4000 },
    });
  });

  it('reads the top-level usage of a large Anthropic body, not a tool input that looks like usage', () => {
    const message = {
      id: 'msg_1',
      type: 'message',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'tool_use', id: 't', name: 'x', input: { usage: { input_tokens: 999, output_tokens: 999 } } },
        { type: 'text', text: 'x'.repeat(300_000) },
      ],
      usage: { input_tokens: 7, cache_read_input_tokens: 3, output_tokens: 9 },
    };
    const tap = createJsonTap({ adapter: anthropicAdapter, pathSuffix: '/v1/messages', fullParseMaxBytes: 64 * 1024 });
    feed(tap, Buffer.from(JSON.stringify(message)), 4096);
    expect(tap.result()).toEqual({
      malformed: false,
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 10, outputTokens: 9, cacheReadTokens: 3, cacheWriteTokens: 0, totalTokens: 19 },
    });
  });

  it('reports a malformed body', () => {
    const tap = createJsonTap({ adapter: openaiAdapter, pathSuffix: '/v1/chat/completions' });
    tap.push(Buffer.from('{"usage": {'));
    expect(tap.result()).toEqual({ malformed: true });
  });

  it('holds nothing for routes without usage', () => {
    const tap = createJsonTap({ adapter: openaiAdapter, pathSuffix: '/v1/models' });
    tap.push(Buffer.from('{"data":[]}'));
    expect(tap.result()).toEqual({ malformed: false });
  });
});
