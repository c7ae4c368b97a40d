import { makeUsage } from '../usage';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';
import { PRICE_TABLE, type PriceRow } from './price-table';
import { costOf, createPricing, estimateCost, findPrice } from './pricing';

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
const NOW = at('2026-11-23');
const M = 1_000_000;

describe('pricing', () => {
  it.each([
    // [provider, model, resolved family row]
    ['openai', 'gpt-4o', 'gpt-4o'],
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['openai', 'gpt-4o-mini', 'gpt-4o-mini'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['openai', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['openai', 'gpt-4.1-nano', 'gpt-4.1-nano'],
    ['openai', 'o3-mini-2025-01-31', 'o3-mini'],
    ['openai', 'o4-mini-2025-04-16', 'o4-mini'],
    ['openai', 'gpt-5-2025-08-07', 'gpt-5'],
    ['openai', 'gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['openai', 'gpt-5-nano', 'gpt-5-nano'],
    ['openai', 'gpt-4-0613', 'gpt-4'],
    ['openai', 'GPT-4o', 'gpt-4o'],
    ['openai', 'text-embedding-3-small', 'text-embedding-3-small'],
    ['anthropic', 'claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['anthropic', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['anthropic', 'claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['anthropic', 'claude-sonnet-4-0', 'claude-sonnet-4'],
    ['anthropic', 'claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['anthropic', 'claude-opus-4-20250514', 'claude-opus-4'],
    ['anthropic', 'claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['anthropic', 'claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['anthropic', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
  ] as const)('%s %s resolves to %s', (provider, model, family) => {
    expect(findPrice(provider, model, NOW)?.model).toBe(family);
  });

  it.each([
    ['openai', 'gpt-4o-mini-search-preview'],
    ['openai', 'gpt-4o-audio-preview-2024-12-17'],
    ['openai', 'ft:gpt-4o-mini-2024-07-18:acme::AbC123'],
    ['openai', 'gpt-6'],
    ['openai', 'claude-sonnet-4'],
    ['anthropic', 'claude-sonnet-4-7'],
    ['anthropic', 'claude-sonnet-4-7-20270101'],
    ['anthropic', 'gpt-4o'],
    ['anthropic', 'anthropic.claude-sonnet-4-20250514-v1:0'],
  ] as const)('never prices %s %s as another family: unknown', (provider, model) => {
    expect(estimateCost(provider, model, makeUsage({ inputTokens: 10 }), NOW)).toEqual({
      status: 'unknown',
      reason: 'unknown_model',
    });
  });

  it('an unknown or missing model is unknown, never $0', () => {
    expect(estimateCost('openai', undefined, makeUsage({ inputTokens: 1 }), NOW)).toEqual({
      status: 'unknown',
      reason: 'no_model',
    });
    expect(estimateCost('openai', 'made-up', makeUsage({ inputTokens: 1 }), NOW)).toEqual({
      status: 'unknown',
      reason: 'unknown_model',
    });
  });

  it('applies the row in force at the request time', () => {
    const usage = makeUsage({ inputTokens: M, outputTokens: M });
    expect(estimateCost('openai', 'o3', usage, at('2025-05-01'))).toEqual({
      status: 'estimated',
      usd: 50,
      pricingId: 'openai/o3@2025-04-16',
    });
    expect(estimateCost('openai', 'o3-2025-04-16', usage, at('2025-06-10'))).toEqual({
      status: 'estimated',
      usd: 10,
      pricingId: 'openai/o3@2025-06-10',
    });
    expect(estimateCost('openai', 'gpt-4o', usage, at('2024-06-01'))).toMatchObject({ usd: 20 });
    expect(estimateCost('openai', 'gpt-4o', usage, NOW)).toMatchObject({ usd: 12.5 });
    expect(estimateCost('openai', 'o3', usage, at('2025-01-01'))).toEqual({
      status: 'unknown',
      reason: 'no_price_at_date',
    });
  });

  it.each([
    // OpenAI: cached tokens are part of prompt_tokens and charged at the cached rate.
    ['openai', 'gpt-4o', { inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 500 }, (1000 * 2.5 + 1000 * 1.25 + 500 * 10) / M],
    ['openai', 'gpt-5-mini', { inputTokens: M, cacheReadTokens: M, outputTokens: 0 }, 0.025],
    ['openai', 'gpt-4o-2024-05-13', { inputTokens: 100, cacheReadTokens: 100, outputTokens: 0 }, (100 * 5) / M],
    ['openai', 'text-embedding-3-large', { inputTokens: M }, 0.13],
    // Anthropic: cache reads 0.1x, 5-minute writes 1.25x, 1-hour writes 2x of the input price.
    [
      'anthropic',
      'claude-sonnet-4-5-20250929',
      { inputTokens: 25 + 2048 + 10240, cacheReadTokens: 10240, cacheWriteTokens: 2048, outputTokens: 15 },
      (25 * 3 + 10240 * 0.3 + 2048 * 3.75 + 15 * 15) / M,
    ],
    [
      'anthropic',
      'claude-opus-4-1',
      { inputTokens: 1000, cacheWriteTokens: 1000, cacheWrite1hTokens: 600, outputTokens: 0 },
      (400 * 18.75 + 600 * 30) / M,
    ],
    ['anthropic', 'claude-3-haiku-20240307', { inputTokens: M, cacheReadTokens: M }, 0.03],
  ] as const)('%s %s %j costs %d USD', (provider, model, parts, usd) => {
    const estimate = estimateCost(provider, model, makeUsage(parts), NOW);
    expect(estimate.status).toBe('estimated');
    if (estimate.status === 'estimated') expect(estimate.usd).toBeCloseTo(usd, 10);
  });

  it('the built-in table has prices for every model the gateway is expected to see', () => {
    const models = new Set(PRICE_TABLE.map((r) => r.model));
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o1',
      'o3',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'text-embedding-3-small',
      'text-embedding-3-large',
    ]) {
      expect(models).toContain(model);
    }
    for (const model of [
      'claude-opus-4-1',
      'claude-opus-4',
      'claude-sonnet-4-5',
      'claude-sonnet-4',
      'claude-3-7-sonnet',
      'claude-haiku-4-5',
      'claude-3-5-haiku',
    ]) {
      expect(models).toContain(model);
    }
  });

  it('costOf clamps inconsistent cache counts', () => {
    const row: PriceRow = {
      provider: 'openai',
      model: 'm',
      effectiveFrom: '2025-01-01',
      input: 1,
      output: 1,
      cacheRead: 0.5,
    };
    expect(costOf(row, makeUsage({ inputTokens: 10, cacheReadTokens: 50 }))).toBeCloseTo((10 * 0.5) / M, 12);
  });

  it.each([
    ['a bad date', { effectiveFrom: '2025-1-1' }],
    ['a negative price', { input: -1 }],
    ['an upper-case model', { model: 'GPT-X' }],
    ['an unknown provider', { provider: 'no-such-provider' }],
  ])('createPricing refuses a table with %s', (_name, override) => {
    const row = {
      provider: 'openai',
      model: 'm',
      effectiveFrom: '2025-01-01',
      input: 1,
      output: 1,
      ...override,
    } as PriceRow;
    expect(() => createPricing([row])).toThrow();
  });

  it('is made of every built-in provider’s rows, tagged with its id', () => {
    for (const adapter of BUILT_IN_ADAPTERS) {
      const rows = PRICE_TABLE.filter((row) => row.provider === adapter.id);
      expect(rows.length).toBe(adapter.prices.rows.length);
      expect(rows.length).toBeGreaterThan(0);
    }
    expect(PRICE_TABLE.length).toBe(BUILT_IN_ADAPTERS.reduce((n, adapter) => n + adapter.prices.rows.length, 0));
  });

  it('applies a model alias only to its own provider', () => {
    expect(findPrice('anthropic', 'claude-sonnet-4-0', NOW)?.model).toBe('claude-sonnet-4');
    expect(findPrice('openai', 'claude-sonnet-4-0', NOW)).toBeUndefined();
  });

  it('createPricing takes the rows of another provider when told it exists', () => {
    const row: PriceRow = { provider: 'groq', model: 'llama-3.1-8b-instant', effectiveFrom: '2025-01-01', input: 0.05, output: 0.08 };
    expect(() => createPricing([row])).toThrow(/unknown provider/);
    const pricing = createPricing([row], { providers: ['groq'], aliases: { 'groq/llama3-8b': 'llama-3.1-8b-instant' } });
    expect(pricing.findPrice('groq', 'llama3-8b', NOW)?.model).toBe('llama-3.1-8b-instant');
  });

  it('createPricing refuses duplicate rows and accepts a custom table', () => {
    const row: PriceRow = { provider: 'openai', model: 'm', effectiveFrom: '2025-01-01', input: 1, output: 2 };
    expect(() => createPricing([row, row])).toThrow(/duplicate/);
    const pricing = createPricing([row, { ...row, effectiveFrom: '2025-06-01', input: 3 }]);
    expect(pricing.estimateCost('openai', 'm-2025-07-01', makeUsage({ inputTokens: M, outputTokens: M }), NOW)).toEqual({
      status: 'estimated',
      usd: 5,
      pricingId: 'openai/m@2025-06-01',
    });
  });
});
