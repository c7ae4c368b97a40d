import { Readiness } from '@navplane/http';
import { createMetricsRegistry } from '@navplane/telemetry';
import request from 'supertest';
import { createApp } from './app';

const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };

describe('gateway app', () => {
  const readiness = new Readiness({ checks: { database: async () => ({ ok: true }) } });
  const app = createApp({ logger, readiness, metrics: createMetricsRegistry() });

  it('serves liveness, readiness and Prometheus metrics', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).status).toBe(200);
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^# HELP navplane_/m);
  });

  it('answers routes it does not serve with route_not_found, echoing a sane request id', async () => {
    const res = await request(app).post('/somewhere/else').set('X-Request-Id', 'client-42').send({});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
    expect(res.headers['x-request-id']).toBe('client-42');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
