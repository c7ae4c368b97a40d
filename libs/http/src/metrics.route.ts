import type { RequestHandler } from 'express';

/** The slice of a prom-client Registry the metrics route needs. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** `GET /metrics` handler: the registry in Prometheus text format. */
export function metricsHandler(registry: MetricsSource): RequestHandler {
  return async function serveMetrics(_req, res) {
    const body = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).send(body);
  };
}
