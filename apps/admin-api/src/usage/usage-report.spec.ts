import { summarizeUsage, type UsageTrace } from './usage-report';

const trace = (overrides: Partial<UsageTrace>): UsageTrace => ({
  startedAt: '2026-11-20T10:00:00.000Z',
  model: 'gpt-4o',
  keyId: 'key_a',
  tokensIn: 100,
  tokensOut: 10,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: 0.1,
  costStatus: 'estimated',
  ...overrides,
});

describe('summarizeUsage', () => {
  const traces = [
    trace({}),
    trace({ costUsd: 0.2, cacheReadTokens: 50 }),
    trace({ model: 'mystery-model', costUsd: null, costStatus: 'unknown', startedAt: '2026-11-21T09:00:00.000Z' }),
    trace({ model: null, keyId: null, tokensIn: null, tokensOut: null, costUsd: null, costStatus: 'unknown' }),
  ];

  it('sums tokens and cost per model; an unknown cost makes the group cost null, never 0', () => {
    const { rows, totals } = summarizeUsage(traces, 'model');
    expect(rows).toEqual([
      { group: 'gpt-4o', requests: 2, tokensIn: 200, tokensOut: 20, cacheReadTokens: 50, cacheWriteTokens: 0, costUsd: 0.3, pricedCostUsd: 0.3, unknownCostRequests: 0 },
      { group: 'mystery-model', requests: 1, tokensIn: 100, tokensOut: 10, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null, pricedCostUsd: 0, unknownCostRequests: 1 },
      { group: null, requests: 1, tokensIn: 0, tokensOut: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null, pricedCostUsd: 0, unknownCostRequests: 1 },
    ]);
    expect(totals).toMatchObject({ requests: 4, costUsd: null, pricedCostUsd: 0.3, unknownCostRequests: 2 });
  });

  it('groups by UTC day and by key', () => {
    expect(summarizeUsage(traces, 'day').rows.map((r) => [r.group, r.requests, r.costUsd])).toEqual([
      ['2026-11-20', 3, null],
      ['2026-11-21', 1, null],
    ]);
    expect(summarizeUsage(traces.slice(0, 2), 'day').rows.map((r) => r.costUsd)).toEqual([0.3]);
    expect(summarizeUsage(traces, 'key').rows.map((r) => [r.group, r.requests])).toEqual([
      ['key_a', 3],
      [null, 1],
    ]);
  });

  it('reports an empty range as zero requests with a known zero cost', () => {
    expect(summarizeUsage([], 'model')).toEqual({
      rows: [],
      totals: { requests: 0, tokensIn: 0, tokensOut: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, pricedCostUsd: 0, unknownCostRequests: 0 },
    });
  });
});
