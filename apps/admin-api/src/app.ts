import type { AuthThrottle, VerifyResult } from '@navplane/auth';
import { systemClock, type Clock } from '@navplane/core';
import {
  errorHandler,
  healthRoutes,
  metricsHandler,
  notFound,
  requestId,
  trustProxySetting,
  type LoggerLike,
  type MetricsSource,
  type Readiness,
} from '@navplane/http';
import type { Operations } from '@navplane/operations';
import type { DiagnosticsReport } from '@navplane/runtime';
import type { TraceQueries } from '@navplane/trace';
import cors from 'cors';
import express, { type Express } from 'express';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi/openapi-document';
import { mountRoutes } from './routes/mount-routes';
import { ADMIN_ROUTES } from './routes/route-registry';

/** The admin API's version, as the OpenAPI document states it. */
export const ADMIN_API_VERSION = '0.1.0';

/** What the admin API app is composed of. */
export interface AdminDeps {
  logger: LoggerLike;
  readiness: Readiness;
  /** The process's Prometheus registry, served at `GET /metrics` like the gateway's (absent: no /metrics route). */
  metrics?: MetricsSource;
  /** The use cases (audit and change events included); also verifies platform-admin tokens. */
  operations: Operations;
  /** Request listing and trace lookups. */
  /** Request listing, traces, replay/fork and usage (tenant-checked). */
  traceQueries: TraceQueries;
  /** This process's diagnostics report (`Runtime.diagnostics`; `GET /admin/diagnostics`, platform admins only). */
  diagnostics: () => Promise<DiagnosticsReport>;
  /** Verifies org NavPlane keys (cached, change-feed evicted; org kill switch included). */
  verifyKey: (presented: string) => Promise<VerifyResult>;
  /** Brute-force throttling of failed authentications by client address (NAVPLANE_AUTH_FAILURE_*); absent: none. */
  authThrottle?: AuthThrottle;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** Origins a browser dashboard may call from (`NAVPLANE_ADMIN_CORS_ORIGINS`). */
  corsOrigins: readonly string[];
  /** NAVPLANE_TRUST_PROXY: Express `trust proxy` value for the client address. */
  trustProxy: boolean | number | readonly string[];
}

/**
 * The admin API app: JSON over HTTP for dashboards, deny by default. Health probes and the OpenAPI document
 * need no credentials; every route of ADMIN_ROUTES does.
 */
export function createApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(deps.trustProxy));

  app.use(requestId());
  const origins = deps.corsOrigins;
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
  // The same Prometheus text as the gateway's /metrics, with the same access rule (none: bind the port privately).
  if (deps.metrics !== undefined) app.get('/metrics', metricsHandler(deps.metrics));

  const openApi = JSON.stringify(buildOpenApiDocument(ADMIN_ROUTES, ADMIN_API_VERSION));
  app.get(OPENAPI_PATH, function openApiDocument(_req, res) {
    res.type('application/json').send(openApi);
  });

  // Responses carry keys shown once and tenant data: no cache may keep them.
  app.use('/admin', function noStore(_req, res, next) {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(
    mountRoutes(ADMIN_ROUTES, {
      verifyAdminToken: (presented) => deps.operations.adminTokens.verify(presented),
      verifyKey: deps.verifyKey,
      ...(deps.authThrottle === undefined ? {} : { throttle: deps.authThrottle }),
      deps: {
        operations: deps.operations,
        traceQueries: deps.traceQueries,
        clock: deps.clock ?? systemClock,
        diagnostics: deps.diagnostics,
      },
    }),
  );
  app.use(notFound({ code: 'not_found' }));
  app.use(errorHandler({ logger: deps.logger }));
  return app;
}
