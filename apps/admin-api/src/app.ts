import { trustProxySetting, errorHandler, healthRoutes, notFound, requestId, type LoggerLike, type Readiness } from '@navplane/http';
import cors from 'cors';
import express, { type Express } from 'express';

/** What the admin API app is composed of. */
export interface AdminDeps {
  logger: LoggerLike;
  readiness: Readiness;
  /** Origins a browser dashboard may call from (`NAVPLANE_ADMIN_CORS_ORIGINS`; default none). */
  corsOrigins?: readonly string[];
  /** Express `trust proxy` value for the client address (default false). */
  trustProxy?: boolean | number | readonly string[];
}

/** The admin API app: JSON over HTTP for dashboards, deny by default. */
export function createApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(deps.trustProxy));

  app.use(requestId());
  const origins = deps.corsOrigins ?? [];
  if (origins.length > 0) {
    // Only the configured origins get CORS headers; others get none and the browser refuses.
    app.use(
      cors({
        origin: [...origins],
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id'],
        maxAge: 600,
      }),
    );
  }
  app.use(healthRoutes(deps.readiness));
  app.use(notFound({ code: 'not_found' }));
  app.use(errorHandler({ logger: deps.logger }));
  return app;
}
