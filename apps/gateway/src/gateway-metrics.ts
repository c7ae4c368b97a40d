import type { MetricsRegistry } from '@navplane/telemetry';
import type { TraceWriterStats } from '@navplane/trace';

/** The gateway's own metrics, created once per registry. */
export interface GatewayMetrics {
  /** Counts one finished request. */
  observe(provider: string, status: number, overheadMs: number | undefined): void;
}

const statusClass = (status: number) => (status === 0 ? 'aborted' : `${Math.floor(status / 100)}xx`);

/** Registers the gateway metrics (and the trace writer's counters, read at scrape time). */
export function createGatewayMetrics(metrics: MetricsRegistry, traceStats?: () => TraceWriterStats): GatewayMetrics {
  const requests = metrics.counter({
    name: 'navplane_gateway_requests_total',
    help: 'Requests the gateway finished, by provider and status class',
    labelNames: ['provider', 'status_class'] as const,
  });
  const overhead = metrics.histogram({
    name: 'navplane_gateway_overhead_ms',
    help: 'Time the gateway itself added to a request (before forwarding plus header handling), ms',
    labelNames: ['provider'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 100],
  });
  if (traceStats !== undefined) {
    metrics.gauge({
      name: 'navplane_trace_queue_depth',
      help: 'Traces waiting to be written',
      collect() {
        this.set(traceStats().queueDepth);
      },
    });
    metrics.gauge({
      name: 'navplane_trace_queue_high_water_mark',
      help: 'The deepest the trace queue has been',
      collect() {
        this.set(traceStats().highWaterMark);
      },
    });
    metrics.gauge({
      name: 'navplane_traces_written',
      help: 'Traces written to the database since start',
      collect() {
        this.set(traceStats().written);
      },
    });
    metrics.gauge({
      name: 'navplane_traces_dropped',
      help: 'Traces dropped since start, by reason (queue_full, write_failed, shutdown)',
      labelNames: ['reason'] as const,
      collect() {
        const dropped = traceStats().dropped;
        for (const reason of Object.keys(dropped) as Array<keyof typeof dropped>) this.set({ reason }, dropped[reason]);
      },
    });
  }
  return {
    observe(provider, status, overheadMs) {
      requests.inc({ provider, status_class: statusClass(status) });
      if (overheadMs !== undefined) overhead.observe({ provider }, overheadMs);
    },
  };
}
