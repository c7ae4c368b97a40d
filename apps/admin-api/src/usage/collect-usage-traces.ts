import type { TraceSummary, TracesRepository } from '@navplane/storage';

/** Most traces one usage report reads (in-memory aggregation; a storage aggregate query would lift this). */
export const MAX_USAGE_SCAN = 200_000;

const PAGE_SIZE = 1000;

/** The outcome: the org's traces with `from <= startedAt < to`, or `too_many` past MAX_USAGE_SCAN rows read. */
export type CollectedTraces = { ok: true; traces: TraceSummary[] } | { ok: false; reason: 'too_many' };

/**
 * Reads the org's traces started in [from, to) by paging the newest-first listing (ISO-8601 UTC bounds; text
 * order is time order). Stops at the first trace older than `from`.
 */
export async function collectUsageTraces(
  traces: Pick<TracesRepository, 'listByOrg'>,
  orgId: string,
  from: string,
  to: string,
  maxScan: number = MAX_USAGE_SCAN,
): Promise<CollectedTraces> {
  const inRange: TraceSummary[] = [];
  let before: string | undefined;
  let scanned = 0;
  for (;;) {
    const page = await traces.listByOrg(orgId, { limit: PAGE_SIZE, before });
    for (const trace of page) {
      if (trace.startedAt < from) return { ok: true, traces: inRange };
      if (trace.startedAt < to) inRange.push(trace);
    }
    scanned += page.length;
    const last = page[page.length - 1];
    if (page.length < PAGE_SIZE || last === undefined) return { ok: true, traces: inRange };
    if (scanned >= maxScan) return { ok: false, reason: 'too_many' };
    before = last.id;
  }
}
