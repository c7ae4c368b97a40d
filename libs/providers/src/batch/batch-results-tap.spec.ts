import { loadProviderFixtures } from '@navplane/testing';
import { anthropicAdapter } from '../anthropic/anthropic.adapter';
import { openaiAdapter } from '../openai/openai.adapter';
import { estimateBatchCost, estimateCost } from '../pricing/pricing';
import type { ProviderAdapter } from '../provider-adapter';
import { makeUsage } from '../usage';
import type { BatchResults } from './batch-results';
import { createBatchResultsTap, type BatchResultsRead } from './batch-results-tap';

function fixture(id: string, name: string): Buffer {
  const folder = loadProviderFixtures(id);
  if (folder === undefined) throw new Error(`no fixture folder ${id}`);
  return folder.file(name);
}

function readerOf(adapter: ProviderAdapter): BatchResults {
  if (adapter.batchResults === undefined) throw new Error(`${adapter.id} reads no batch results`);
  return adapter.batchResults;
}

/** Feeds `bytes` to a fresh tap in pieces of `size`, then ends it (unless `cut`). */
function tapAll(
  reader: BatchResults,
  bytes: Buffer,
  size: number,
  options: { cut?: boolean; maxLineBytes?: number; maxResults?: number } = {},
): BatchResultsRead | undefined {
  const tap = createBatchResultsTap({ reader, sourceId: 'src_1', ...options });
  for (let at = 0; at < bytes.length; at += size) tap.push(bytes.subarray(at, at + size));
  if (options.cut !== true) tap.end();
  return tap.result();
}

const SPLITS = [Number.MAX_SAFE_INTEGER, 1, 7, 256];

describe('batch results readers', () => {
  const openai = readerOf(openaiAdapter);
  const anthropic = readerOf(anthropicAdapter);

  it('claim only the routes that return batch results, by their id', () => {
    expect(openai.sourceOf('GET', '/v1/files/file-abc123/content')).toBe('file-abc123');
    expect(openai.sourceOf('GET', '/v1/files/file-abc123')).toBeUndefined();
    expect(openai.sourceOf('DELETE', '/v1/files/file-abc123/content')).toBeUndefined();
    expect(openai.sourceOf('GET', '/v1/files/../content')).toBeUndefined();
    expect(anthropic.sourceOf('GET', '/v1/messages/batches/msgbatch_01/results')).toBe('msgbatch_01');
    expect(anthropic.sourceOf('GET', '/v1/messages/batches/msgbatch_01')).toBeUndefined();
    expect(anthropic.sourceOf('GET', '/v1/files/file_01/content')).toBeUndefined();
  });

  it.each(SPLITS)('read every OpenAI output line with usage, per model, however the body is cut (%i)', (size) => {
    const read = tapAll(openai, fixture('openai', 'batch-output.jsonl'), size);
    expect(read).toEqual({
      sourceId: 'src_1',
      lines: 4,
      truncated: false,
      results: [
        {
          customId: 'request-1',
          model: 'gpt-4o-mini-2024-07-18',
          usage: makeUsage({ inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1024 }),
        },
        { customId: 'request-2', model: 'gpt-4.1-2025-04-14', usage: makeUsage({ inputTokens: 2000, outputTokens: 500 }) },
        { customId: 'request-4', model: 'gpt-4o-mini-2024-07-18', usage: makeUsage({ inputTokens: 800, outputTokens: 200 }) },
      ],
    });
  });

  it('read an OpenAI error file as batch results without usage', () => {
    expect(tapAll(openai, fixture('openai', 'batch-errors.jsonl'), 64)).toEqual({
      sourceId: 'src_1',
      lines: 1,
      truncated: false,
      results: [],
    });
  });

  it.each(SPLITS)('read every succeeded Anthropic result, cache reads and writes included (%i)', (size) => {
    const read = tapAll(anthropic, fixture('anthropic', 'batch-results.jsonl'), size);
    expect(read?.lines).toBe(5);
    expect(read?.results).toEqual([
      {
        customId: 'my-first-request',
        model: 'claude-sonnet-4-5-20250929',
        usage: makeUsage({ inputTokens: 7000, outputTokens: 500, cacheReadTokens: 4000, cacheWriteTokens: 2000 }),
      },
      { customId: 'my-second-request', model: 'claude-haiku-4-5-20251001', usage: makeUsage({ inputTokens: 3000, outputTokens: 1000 }) },
    ]);
  });

  it.each([
    ['a batch input file', fixture('openai', 'batch-input.jsonl')],
    ['a fine-tuning file', Buffer.from('{"messages":[{"role":"user","content":"hi"}]}\n{"messages":[]}\n')],
    ['a text file', Buffer.from('hello\nworld\n')],
    ['one JSON document over several lines', Buffer.from('{\n  "custom_id": "x",\n  "response": null\n}\n')],
    ['batch lines followed by something else', Buffer.concat([fixture('openai', 'batch-output.jsonl'), Buffer.from('not json\n')])],
    ['an empty file', Buffer.alloc(0)],
  ])('tell %s apart: no results at all', (_name, bytes) => {
    expect(tapAll(openai, bytes, 5)).toBeUndefined();
    expect(tapAll(anthropic, bytes, 5)).toBeUndefined();
  });

  it('skip blank lines and CRLF endings; the last line needs no newline when the body ended', () => {
    const lines = fixture('anthropic', 'batch-results.jsonl').toString('utf8').trim().split('\n');
    const bytes = Buffer.from(`\r\n${lines.join('\r\n\r\n')}`);
    expect(tapAll(anthropic, bytes, 13)?.results).toHaveLength(2);
  });

  it('read no half line of a body that broke off: the results before it count', () => {
    const bytes = fixture('openai', 'batch-output.jsonl');
    const cut = bytes.subarray(0, bytes.indexOf('request-4') + 40);
    expect(tapAll(openai, cut, 100, { cut: true })?.results.map((r) => r.customId)).toEqual(['request-1', 'request-2']);
  });

  it('keep the first line of a repeated custom_id', () => {
    const line = fixture('anthropic', 'batch-results.jsonl').toString('utf8').split('\n')[0] ?? '';
    expect(tapAll(anthropic, Buffer.from(`${line}\n${line}\n`), 64)?.results).toHaveLength(1);
  });

  it('read lines longer than the bound from their head and tail, holding neither whole', () => {
    const long = 'x'.repeat(200_000);
    const openaiLine = JSON.stringify({
      id: 'batch_req_1',
      custom_id: 'long-1',
      response: {
        status_code: 200,
        request_id: 'r',
        body: {
          id: 'c',
          model: 'gpt-4.1',
          choices: [{ message: { content: long } }],
          usage: { prompt_tokens: 10, completion_tokens: 50000 },
        },
      },
      error: null,
    });
    const anthropicLine = JSON.stringify({
      custom_id: 'long-2',
      result: {
        type: 'succeeded',
        message: { model: 'claude-haiku-4-5', content: [{ type: 'text', text: long }], usage: { input_tokens: 5, output_tokens: 60000 } },
      },
    });
    const short = fixture('openai', 'batch-output.jsonl');
    const openaiRead = tapAll(openai, Buffer.concat([Buffer.from(`${openaiLine}\n`), short]), 4096, { maxLineBytes: 64 * 1024 });
    expect(openaiRead?.results[0]).toEqual({
      customId: 'long-1',
      model: 'gpt-4.1',
      usage: makeUsage({ inputTokens: 10, outputTokens: 50000 }),
    });
    expect(openaiRead?.results).toHaveLength(4);
    const anthropicRead = tapAll(anthropic, Buffer.from(`${anthropicLine}\n`), 4096, { maxLineBytes: 64 * 1024 });
    expect(anthropicRead?.results).toEqual([
      { customId: 'long-2', model: 'claude-haiku-4-5', usage: makeUsage({ inputTokens: 5, outputTokens: 60000 }) },
    ]);
    // A long line that is no batch result makes the body none.
    expect(tapAll(openai, Buffer.from(`{"messages":"${long}"}\n`), 4096, { maxLineBytes: 64 * 1024 })).toBeUndefined();
  });

  it('stop at maxResults and say so', () => {
    const read = tapAll(openai, fixture('openai', 'batch-output.jsonl'), 512, { maxResults: 2 });
    expect(read?.results.map((r) => r.customId)).toEqual(['request-1', 'request-2']);
    expect(read?.truncated).toBe(true);
  });
});

describe('batch prices', () => {
  const usage = makeUsage({ inputTokens: 7000, outputTokens: 500, cacheReadTokens: 4000, cacheWriteTokens: 2000 });
  const at = new Date('2026-01-15T00:00:00Z');

  it.each([
    ['openai', 'gpt-4o-mini-2024-07-18', '2024-04-15'],
    ['anthropic', 'claude-sonnet-4-5-20250929', '2024-10-08'],
  ])('price a %s batch result at half its standard cost, every rate included', (provider, model, from) => {
    const standard = estimateCost(provider, model, usage, at);
    const batch = estimateBatchCost(provider, model, usage, at);
    if (standard.status !== 'estimated' || batch.status !== 'estimated') throw new Error('unpriced');
    expect(batch.usd).toBeCloseTo(standard.usd / 2, 10);
    expect(batch.pricingId).toBe(`${standard.pricingId}#batch@${from}`);
  });

  it('price nothing before the provider had a batch price, nor an unknown model', () => {
    expect(estimateBatchCost('anthropic', 'claude-3-5-sonnet', usage, new Date('2024-09-01T00:00:00Z'))).toEqual({
      status: 'unknown',
      reason: 'no_batch_price',
    });
    expect(estimateBatchCost('openai', 'gpt-unknown', usage, at)).toEqual({ status: 'unknown', reason: 'unknown_model' });
    expect(estimateBatchCost('gemini', 'gemini-2.5-pro', usage, at)).toEqual({ status: 'unknown', reason: 'no_batch_price' });
  });
});
