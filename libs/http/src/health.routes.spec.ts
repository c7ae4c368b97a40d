import express from 'express';
import request from 'supertest';
import { healthRoutes, Readiness } from './health.routes';

describe('health routes', () => {
  it('answers /healthz without running any check', async () => {
    const check = jest.fn(() => Promise.resolve({ ok: false }));
    const app = express().use(healthRoutes(new Readiness({ checks: { database: check } })));
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(check).not.toHaveBeenCalled();
  });

  it('answers /readyz 200 when every check passes', async () => {
    const readiness = new Readiness({ checks: { database: () => Promise.resolve({ ok: true }) } });
    const res = await request(express().use(healthRoutes(readiness))).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('answers 503 naming the failing check, including thrown and slow ones', async () => {
    const readiness = new Readiness({
      timeoutMs: 50,
      checks: {
        database: () => Promise.resolve({ ok: true }),
        migrations: () => Promise.resolve({ ok: false, reason: '1 pending migration', details: { pending: ['m1'] } }),
        vault: () => Promise.reject(new Error('master key missing')),
        slow: () => new Promise(() => undefined),
      },
    });
    const res = await request(express().use(healthRoutes(readiness))).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not_ready',
      checks: {
        database: { ok: true },
        migrations: { ok: false, reason: '1 pending migration', details: { pending: ['m1'] } },
        vault: { ok: false, reason: 'master key missing' },
        slow: { ok: false, reason: 'check timed out after 50 ms' },
      },
    });
  });

  it('turns 503 at once when draining', async () => {
    const readiness = new Readiness({ checks: { database: () => Promise.resolve({ ok: true }) } });
    const app = express().use(healthRoutes(readiness));
    readiness.startDraining();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not_ready', checks: { shutdown: { ok: false, reason: 'shutting down' } } });
  });
});
