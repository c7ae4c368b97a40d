import { expect } from '@jest/globals';
import { findPrice } from '@navplane/providers';
import { DEFAULT_RESERVED_OUTPUT_TOKENS, estimateReservation, maxOutputTokensOf } from './estimate-cost';
import { periodWindow } from './budget-period';

const at = new Date(Date.UTC(2026, 11, 7));

describe('estimateReservation', () => {
  it('prices the output bound at the output rate and ⌈bytes/4⌉ input tokens at the input rate', () => {
    const body = Buffer.from(JSON.stringify({ model: 'gpt-4o', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }));
    const row = findPrice('openai', 'gpt-4o', at);
    if (row === undefined) throw new Error('gpt-4o has no price');
    const estimate = estimateReservation({ provider: 'openai', model: 'gpt-4o', body, at });
    const inputTokens = Math.ceil(body.length / 4);
    expect(estimate).toEqual({
      priced: true,
      inputTokens,
      outputTokens: 1000,
      usd: expect.closeTo((inputTokens * row.input + 1000 * row.output) / 1e6, 9),
    });
  });

  it('takes the largest of max_tokens, max_output_tokens and max_completion_tokens, else the default', () => {
    expect(maxOutputTokensOf(Buffer.from('{"max_output_tokens":50,"max_completion_tokens":70}'))).toBe(70);
    expect(maxOutputTokensOf(Buffer.from('{"max_tokens":"9"}'))).toBeUndefined();
    // Several choices each produce up to the bound.
    expect(maxOutputTokensOf(Buffer.from('{"max_tokens":100,"n":4}'))).toBe(400);
    expect(maxOutputTokensOf(Buffer.from('{"max_tokens":100,"best_of":3,"n":2}'))).toBe(300);
    expect(maxOutputTokensOf(Buffer.from('not json'))).toBeUndefined();
    const estimate = estimateReservation({ provider: 'openai', model: 'gpt-4o', body: undefined, at });
    expect(estimate).toMatchObject({ priced: true, inputTokens: 0, outputTokens: DEFAULT_RESERVED_OUTPUT_TOKENS });
  });

  it('is unpriced for a model the price table does not know, or no model at all', () => {
    expect(estimateReservation({ provider: 'openai', model: 'my-finetune-xyz', body: undefined, at })).toEqual({ priced: false });
    expect(estimateReservation({ provider: 'openai', model: undefined, body: undefined, at })).toEqual({ priced: false });
  });
});

describe('periodWindow', () => {
  it('is the UTC day or the UTC calendar month', () => {
    expect(periodWindow('day', Date.UTC(2026, 11, 31, 23, 59))).toEqual({
      period: 'day',
      start: '2026-12-31',
      endMs: Date.UTC(2027, 0, 1),
    });
    expect(periodWindow('month', Date.UTC(2028, 1, 29, 5))).toEqual({ period: 'month', start: '2028-02-01', endMs: Date.UTC(2028, 2, 1) });
  });
});
