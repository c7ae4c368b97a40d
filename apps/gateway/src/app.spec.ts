import { configWithDefaults } from '@navplane/config';
import { createLimitCounters, createMemoryCounterStore, EMPTY_LIMIT_DOCUMENT } from '@navplane/limits';
import { createEgressGuard, parseEgressAllowlist } from '@navplane/egress';
import { Readiness } from '@navplane/http';
import { createProviderRegistry } from '@navplane/providers';
import { createMetricsRegistry } from '@navplane/telemetry';
import request from 'supertest';
import { createCircuitBreakers } from './routing/circuit-breakers';
import { NO_ROUTES } from './routing/route-source';
import { createApp } from './app';
import { createUpstreamPools } from './proxy/upstream-pools';

const noop = () => undefined;
const logger = { error: noop, warn: noop, info: noop, http: noop, debug: noop, isLevelEnabled: () => false };

function unwrapAllowlist() {
  const parsed = parseEgressAllowlist('');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('gateway app', () => {
  const readiness = new Readiness({ checks: { database: () => Promise.resolve({ ok: true }) } });
  const verifyKey = jest.fn(() => Promise.resolve({ valid: false as const, code: 'unknown' as const }));
  const config = configWithDefaults();
  const upstreamPools = createUpstreamPools({
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    tenantLookup: createEgressGuard({ allowlist: unwrapAllowlist() }).lookup,
  });
  afterAll(() => upstreamPools.close());
  const app = createApp({
    logger,
    readiness,
    metrics: createMetricsRegistry(),
    registry: createProviderRegistry({
      baseUrls: {
        openai: 'http://127.0.0.1:9',
        anthropic: 'http://127.0.0.1:9',
        gemini: 'http://127.0.0.1:9',
        mistral: 'http://127.0.0.1:9',
      },
    }),
    verifyKey,
    getProviderKey: () => Promise.resolve({ ok: false, reason: 'missing' }),
    policies: { peek: () => [], load: () => Promise.resolve([]) },
    limits: { peek: () => EMPTY_LIMIT_DOCUMENT, get: () => Promise.resolve(EMPTY_LIMIT_DOCUMENT) },
    limitCounters: createLimitCounters({ store: createMemoryCounterStore() }),
    limitsFailMode: 'open',
    getRedactor: () => Promise.resolve(undefined),
    traceSink: { enqueue: () => undefined },
    trustProxy: config.trustProxy,
    captureBodies: config.captureBodies,
    captureMaxBytes: config.captureMaxBytes,
    policyLimits: { maxBodyBytes: config.policyMaxBodyBytes, timeoutMs: config.policyTimeoutMs },
    maxBodyBytes: config.maxBodyBytes,
    upstreamPools,
    routes: NO_ROUTES,
    breakers: createCircuitBreakers({ failures: 5, cooldownMs: 30_000 }),
    routeTimeouts: { deadlineMs: config.upstreamTimeoutMs, attemptTimeoutMs: 0 },
  });

  it('serves liveness, readiness and Prometheus metrics without authentication', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).status).toBe(200);
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^# HELP navplane_/m);
    expect(verifyKey).not.toHaveBeenCalled();
  });

  it.each([
    ['GET', '/HEALTHZ', 200],
    ['GET', '/healthz/', 200],
    ['HEAD', '/healthz', 200],
    ['GET', '/Readyz?x=1', 200],
    ['GET', '/metrics/', 200],
    ['POST', '/healthz', 404],
    ['GET', '/healthzz', 404],
    ['GET', '/rea', 404],
    ['GET', '/v1/healthz', 401],
  ])('routes %s %s like the router always did (%i)', async (method, path, status) => {
    const res = await request(app)[method.toLowerCase() as 'get' | 'post' | 'head'](path).set('X-Request-Id', 'client-7');
    expect(res.status).toBe(status);
    if (status !== 200) {
      // Not served by the health routes: the provider path ran (request id, trace id, contract error).
      expect(res.headers['x-request-id']).toBe('client-7');
      expect(res.headers['x-navplane-trace-id']).toMatch(/^trc_/);
    }
  });

  it('answers paths outside every provider route with route_not_found, echoing a sane request id', async () => {
    const res = await request(app).post('/somewhere/else').set('X-Request-Id', 'client-42').send({});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'route_not_found' } });
    expect(res.headers['x-request-id']).toBe('client-42');
    expect(res.headers['x-navplane-trace-id']).toMatch(/^trc_/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
