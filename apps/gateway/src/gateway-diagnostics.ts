import { BREAKER_LIST_LIMIT, type BreakerDiagnostics, type GatewayDiagnostics } from '@navplane/runtime';
import type { TraceWriterStats } from '@navplane/trace';
import type { UpstreamPools } from './proxy/upstream-pools';
import type { BreakerState, CircuitBreakers } from './routing/circuit-breakers';

/** What the gateway's part of the diagnostics report is read from. */
export interface GatewayDiagnosticsSources {
  /** The trace writer's counters; `sink` says whether traces go to the database at all. */
  readonly traces: { readonly sink: 'database' | 'none'; readonly capacity: number; stats(): TraceWriterStats };
  readonly breakers: Pick<CircuitBreakers, 'snapshot'>;
  readonly upstreamPools: Pick<UpstreamPools, 'stats'>;
  /** Proxied WebSocket sessions open now. */
  readonly websockets: () => number;
}

const ORDER: Record<BreakerState, number> = { open: 0, half_open: 1, closed: 2 };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A base URL without what may be secret in it: credentials, query and fragment (a tenant may have put a token there). */
function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable)';
  }
}

/** The gateway's figures for `GET /admin/diagnostics`, read when the report is asked for (nothing on the request path). */
export function gatewayDiagnostics(sources: GatewayDiagnosticsSources): () => GatewayDiagnostics {
  return () => {
    const stats = sources.traces.stats();
    const capacity = sources.traces.capacity;
    const droppedTotal = stats.dropped.queue_full + stats.dropped.write_failed + stats.dropped.shutdown;

    const all = sources.breakers.snapshot();
    const counts = { open: 0, half_open: 0, closed: 0 };
    for (const breaker of all) counts[breaker.state] += 1;
    const listed = [...all]
      .sort((a, b) => ORDER[a.state] - ORDER[b.state] || (b.openedAt ?? 0) - (a.openedAt ?? 0))
      .slice(0, BREAKER_LIST_LIMIT)
      .map(
        (breaker): BreakerDiagnostics => ({
          orgId: breaker.orgId,
          provider: breaker.provider,
          baseUrl: publicUrl(breaker.baseUrl),
          model: breaker.model,
          keyName: breaker.keyName,
          state: breaker.state,
          failures: breaker.failures,
          openedAt: iso(breaker.openedAt),
          probeAt: iso(breaker.probeAt),
        }),
      );

    const pools = sources.upstreamPools
      .stats()
      .map((pool) => ({ ...pool }))
      .sort((a, b) => (a.origin === b.origin ? Number(a.tenant) - Number(b.tenant) : a.origin < b.origin ? -1 : 1));
    const sum = (field: 'connected' | 'free' | 'running' | 'pending') => pools.reduce((total, pool) => total + pool[field], 0);

    return {
      traces: {
        sink: sources.traces.sink,
        queueDepth: stats.queueDepth,
        queueCapacity: capacity,
        pressure: capacity > 0 ? Math.min(1, stats.queueDepth / capacity) : 0,
        highWaterMark: stats.highWaterMark,
        enqueued: stats.enqueued,
        written: stats.written,
        dropped: { ...stats.dropped },
        droppedTotal,
        batches: stats.batches,
        failedBatches: stats.failedBatches,
        lastBatchMs: Math.round(stats.lastBatchMs * 100) / 100,
      },
      circuitBreakers: {
        total: all.length,
        open: counts.open,
        halfOpen: counts.half_open,
        closed: counts.closed,
        breakers: listed,
        truncated: all.length > listed.length,
      },
      upstreamPools: {
        pools: pools.length,
        connected: sum('connected'),
        free: sum('free'),
        running: sum('running'),
        pending: sum('pending'),
        byOrigin: pools,
      },
      websockets: { open: sources.websockets() },
    };
  };
}
