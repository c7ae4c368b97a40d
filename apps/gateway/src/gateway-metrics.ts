import type { MetricsRegistry } from '@navplane/telemetry';
import type { TraceWriterStats } from '@navplane/trace';
import type { PolicyDecisionRecord } from './policy/decision-record';

/** The gateway's own metrics, created once per registry. */
export interface GatewayMetrics {
  /** Counts one finished request. */
  observe(provider: string, status: number, overheadMs: number | undefined): void;
  /** Counts one policy decision (by mode and action) and its detections (by detector and stage). */
  observePolicy(decision: PolicyDecisionRecord): void;
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
  const policyDecisions = metrics.counter({
    name: 'navplane_policy_decisions_total',
    help: 'Policy decisions, by mode and action (none, redacted, blocked, failed_closed)',
    labelNames: ['mode', 'action'] as const,
  });
  const policyDetections = metrics.counter({
    name: 'navplane_policy_detections_total',
    help: 'Values detectors found, by detector and stage (request: block/redact_upstream; storage: stored copies)',
    labelNames: ['detector', 'stage'] as const,
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
    observePolicy(decision) {
      policyDecisions.inc({ mode: decision.mode, action: decision.action });
      for (const summary of decision.detections) policyDetections.inc({ detector: summary.detector, stage: 'request' }, summary.count);
      const storage = decision.storage;
      if (storage !== undefined && 'request' in storage) {
        for (const summary of [...storage.request.detections, ...storage.response.detections]) {
          policyDetections.inc({ detector: summary.detector, stage: 'storage' }, summary.count);
        }
      }
    },
  };
}
