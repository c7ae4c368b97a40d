import { expect } from '@jest/globals';
import { Readiness, type ReadinessReport } from '@navplane/http';
import { bodyAs } from '@navplane/testing';
import request from 'supertest';
import { createApp } from './app';
import { startAdminHarness, type AdminHarness } from './testing/admin-harness.fixture';

describe('admin API app', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness('sqlite');
  });
  afterAll(() => h.close());

  function app(options: { ready?: boolean; corsOrigins?: string[] } = {}) {
    const readiness = new Readiness({ checks: { database: () => Promise.resolve({ ok: options.ready ?? true, reason: 'down' }) } });
    return createApp({ ...h.deps, readiness, corsOrigins: options.corsOrigins ?? h.deps.corsOrigins });
  }

  it('serves liveness and readiness without credentials', async () => {
    expect((await request(app()).get('/healthz')).status).toBe(200);
    expect((await request(app()).get('/readyz')).status).toBe(200);
    const notReady = await request(app({ ready: false })).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(bodyAs<ReadinessReport>(notReady).checks['database']).toEqual({ ok: false, reason: 'down' });
  });

  it('serves the process’s Prometheus metrics at /metrics, like the gateway', async () => {
    const res = await request(app()).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# HELP navplane_change_feed_lag_ms /m);
  });

  it('answers unknown routes with a JSON 404 and a request id', async () => {
    const res = await request(app()).get('/admin/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { message: expect.any(String), type: 'not_found_error', code: 'not_found' } });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('sends CORS headers only to configured origins', async () => {
    const withCors = app({ corsOrigins: ['https://dash.example.com'] });
    const allowed = await request(withCors)
      .options('/admin/orgs')
      .set('Origin', 'https://dash.example.com')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/);

    const denied = await request(withCors).get('/healthz').set('Origin', 'https://evil.example.com');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();

    const none = await request(app()).get('/healthz').set('Origin', 'https://dash.example.com');
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks admin responses as not cacheable and hides the framework', async () => {
    const res = await request(app()).get('/admin/orgs');
    expect(res.status).toBe(401);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
