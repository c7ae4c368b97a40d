import { trustProxySetting, errorHandler, healthRoutes, metricsHandler, notFound, requestId, type LoggerLike, type MetricsSource, type Readiness } from '@navplane/http';
import express, { type Express } from 'express';

/** What the gateway app is composed of. */
export interface GatewayDeps {
  logger: LoggerLike;
  readiness: Readiness;
  metrics: MetricsSource;
  /** Express `trust proxy` value for the client address (default false). */
  trustProxy?: boolean | number | readonly string[];
}

/** The client-facing gateway app: health, readiness, metrics and the provider routes. */
export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(deps.trustProxy));

  app.use(requestId());
  app.use(healthRoutes(deps.readiness));
  app.get('/metrics', metricsHandler(deps.metrics));
  app.use(notFound({ code: 'route_not_found' }));
  app.use(errorHandler({ logger: deps.logger }));
  return app;
}
