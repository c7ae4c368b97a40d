import { expect } from '@jest/globals';
import { createResponseAssembler } from '../assemble/response-assembler';
import { sse, type Ev } from '../assemble/sse-events.fixture';
import { createStreamTap } from '../stream-tap';
import { geminiAdapter } from './gemini.adapter';

const event = (data: unknown): Ev => [undefined, data];

function tapOf(events: readonly Ev[]) {
  const tap = createStreamTap({ adapter: geminiAdapter });
  tap.push(sse(events, '\r\n'));
  tap.end();
  return tap.result();
}

function assemble(events: readonly Ev[]) {
  const assembler = createResponseAssembler({ adapter: geminiAdapter });
  assembler.push(sse(events));
  return assembler.end();
}

describe('geminiAdapter', () => {
  it.each([
    ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', true],
    ['POST', '/v1/models/gemini-2.5-flash:streamGenerateContent', true],
    ['POST', '/v1beta/models/gemini-embedding-001:embedContent', true],
    ['POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents', true],
    ['POST', '/v1beta/models/gemini-2.5-flash:countTokens', false],
    ['GET', '/v1beta/models', false],
    ['GET', '/v1beta/models/gemini-2.5-flash', false],
  ])('%s %s reports usage: %s', (method, path, reports) => {
    expect(geminiAdapter.isAllowedPath(method, path)).toBe(true);
    expect(geminiAdapter.reportsUsage(method, path)).toBe(reports);
  });

  it.each([
    ['POST', '/v1beta/models/gemini-2.5-flash:generateContent/x'],
    ['POST', '/v1beta/models/:generateContent'],
    ['POST', '/v1beta/models/gemini%2F..:generateContent'],
    ['POST', '/v1beta/models/%2e%2e:generateContent'],
    ['POST', '/v1beta/models'],
    ['DELETE', '/v1beta/models/gemini-2.5-flash'],
    ['POST', '/v1beta/tunedModels/my-model:generateContent'],
    ['POST', '/v1beta/cachedContents'],
    ['GET', '/v1beta/models/'],
  ])('refuses %s %s', (method, path) => {
    expect(geminiAdapter.isAllowedPath(method, path)).toBe(false);
  });

  it('takes the model of every model method from the URL, percent-decoded', () => {
    expect(geminiAdapter.requestModelSource('POST', '/v1beta/models/gemini-2.5-flash%2Dlite:countTokens', '')).toEqual({
      from: 'url',
      model: 'gemini-2.5-flash-lite',
    });
    expect(geminiAdapter.requestModelSource('GET', '/v1beta/models/gemini-2.5-flash', '')).toBeUndefined();
  });

  it('reads usage with thoughts as output, tool-use prompt tokens as input and the cached part as cache reads', () => {
    const usage = geminiAdapter.usageFromJson('/v1beta/models/m:generateContent', {
      usageMetadata: {
        promptTokenCount: 100,
        toolUsePromptTokenCount: 30,
        cachedContentTokenCount: 64,
        candidatesTokenCount: 7,
        thoughtsTokenCount: 13,
        totalTokenCount: 150,
      },
    });
    expect(usage).toEqual({ inputTokens: 130, outputTokens: 20, cacheReadTokens: 64, cacheWriteTokens: 0, totalTokens: 150 });
    expect(geminiAdapter.usageFromJson('/v1beta/models/m:generateContent', { candidates: [] })).toBeUndefined();
  });

  it('reads the JSON array :streamGenerateContent answers without alt=sse (the last usage, the first model)', () => {
    const json = [
      { usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 }, modelVersion: 'gemini-2.0-flash-001' },
      { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 9, totalTokenCount: 14 }, modelVersion: 'gemini-2.0-flash-001' },
    ];
    expect(geminiAdapter.usageFromJson('/v1beta/models/gemini-2.0-flash:streamGenerateContent', json)).toMatchObject({
      inputTokens: 5,
      outputTokens: 9,
    });
    expect(geminiAdapter.modelFromJson(json)).toBe('gemini-2.0-flash-001');
  });

  it('reads a stream error event as the stream error, and counts what is not JSON', () => {
    const result = tapOf([
      event({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 4 } }),
      event('{"candidates": [ cut'),
      event({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
    ]);
    expect(result).toMatchObject({ complete: false, malformedEvents: 1, streamError: 'UNAVAILABLE', usage: { inputTokens: 4 } });
  });

  it('ends a stream whose prompt was blocked (no candidates, a blockReason)', () => {
    const blocked = event({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } });
    expect(tapOf([blocked])).toMatchObject({ complete: true, usage: { inputTokens: 8, outputTokens: 0 } });
    expect(assemble([blocked]).body).toEqual({
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
    });
  });

  it('assembles function calls and thought text in order, joining consecutive text of one kind', () => {
    const part = (parts: unknown[], finishReason?: string) =>
      event({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...(finishReason ? { finishReason } : {}) }] });
    const assembled = assemble([
      part([{ text: 'Plan: ', thought: true }]),
      part([{ text: 'look it up.', thought: true }]),
      part([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' }]),
      part([{ text: 'Calling' }, { text: ' now.' }], 'STOP'),
    ]);
    expect(assembled).toMatchObject({ complete: true, truncated: false, malformedEvents: 0 });
    expect(assembled.body).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: 'Plan: look it up.', thought: true },
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
              { text: 'Calling now.' },
            ],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
    });
  });
});
