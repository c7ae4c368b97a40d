import { createBatchResultsTap, type BatchResultsRead } from '@navplane/providers';
import type { Ready } from '../gateway-context';

/** The tap of a response that may hold batch results: it only reads, never changes or holds back a byte. */
export interface BatchTap {
  push(chunk: Buffer): undefined;
  end(): undefined;
  result(): { batch?: BatchResultsRead };
}

/**
 * A tap reading Batch API results line by line, for a successful response of a route the adapter says may return them
 * (docs/traces.md, "Batch usage"); undefined for every other response.
 */
export function batchTapFor(context: Ready, status: number): BatchTap | undefined {
  const reader = context.route.adapter.batchResults;
  if (reader === undefined || status < 200 || status >= 300) return undefined;
  const sourceId = reader.sourceOf(context.method, context.route.pathSuffix);
  if (sourceId === undefined) return undefined;
  const tap = createBatchResultsTap({ reader, sourceId });
  return {
    push(chunk) {
      tap.push(chunk);
      return undefined;
    },
    end() {
      tap.end();
      return undefined;
    },
    result() {
      const batch = tap.result();
      return batch === undefined ? {} : { batch };
    },
  };
}
