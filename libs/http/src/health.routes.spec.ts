import express from 'express';
import request from 'supertest';
import { healthRoutes, Readiness } from './health.routes';

describe('health routes', () => {
  it('answers /healthz without running any check', async () => {
    const check = jest.fn(async () => ({ ok: false }));
    const app = express().use(healthRoutes(new Readiness({ checks: { database: check } })));
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(check).not.toHaveBeenCalled();
  });

  it('answers /readyz 200 when every check passes', async () => {
    const readiness = new Readiness({ checks: { database: async () => ({ ok: true }) } });
    const res = await request(express().use(healthRoutes(readiness))).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('answers 503 naming the failing check, including thrown and slow ones', async () => {
    const readiness = new Readiness({
      timeoutMs: 50,
      checks: {
        database: async () => ({ ok: true }),
        migrations: async () => ({ ok: false, reason: '1 pending migration', details: { pending: ['m1'] } }),
        vault: async () => {
          throw new Error('master key missing');
        },
        slow: () => new Promise(() => undefined),
      },
    });
    const res = await request(express().use(healthRoutes(readiness))).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not_ready');
    expect(res.body.checks.migrations).toEqual({ ok: false, reason: '1 pending migration', details: { pending: ['m1'] } });
    expect(res.body.checks.vault).toEqual({ ok: false, reason: 'master key missing' });
    expect(res.body.checks.slow.ok).toBe(false);
    expect(res.body.checks.database.ok).toBe(true);
  });

  it('turns 503 at once when draining', async () => {
    const readiness = new Readiness({ checks: { database: async () => ({ ok: true }) } });
    const app = express().use(healthRoutes(readiness));
    readiness.startDraining();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.shutdown).toEqual({ ok: false, reason: 'shutting down' });
  });
});
