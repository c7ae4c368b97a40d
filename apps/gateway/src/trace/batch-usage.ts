import { estimateBatchCost, type BatchResultsRead, type ProviderId } from '@navplane/providers';
import type { TraceRecord } from '@navplane/trace';

type BatchUsage = NonNullable<TraceRecord['batchUsage']>;

/**
 * The usage of the Batch API results a request fetched, each result priced at its own model's batch price at the time
 * of the fetch (docs/pricing.md, "Batch prices"); stored once per result however often it is fetched
 * (docs/traces.md, "Batch usage").
 */
export function batchUsageOf(provider: ProviderId, read: BatchResultsRead, at: Date): BatchUsage {
  return {
    sourceId: read.sourceId,
    results: read.results.map((result) => {
      const cost = estimateBatchCost(provider, result.model, result.usage, at);
      return {
        customId: result.customId,
        model: result.model ?? null,
        tokensIn: result.usage.inputTokens,
        tokensOut: result.usage.outputTokens,
        cacheReadTokens: result.usage.cacheReadTokens,
        cacheWriteTokens: result.usage.cacheWriteTokens,
        costUsd: cost.status === 'estimated' ? cost.usd : null,
        costStatus: cost.status === 'estimated' ? 'estimated' : 'unknown',
      };
    }),
  };
}
