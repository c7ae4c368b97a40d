import express from 'express';
import request from 'supertest';
import { requestId, resolveRequestId } from './request-id.middleware';

describe('requestId', () => {
  const app = express();
  app.use(requestId());
  app.get('/', (_req, res) => {
    const id: unknown = res.locals['requestId'];
    res.json({ id });
  });

  it('keeps a sane client id', async () => {
    const res = await request(app).get('/').set('X-Request-Id', 'abc-123_x.y:z');
    expect(res.headers['x-request-id']).toBe('abc-123_x.y:z');
    expect(res.body).toEqual({ id: 'abc-123_x.y:z' });
  });

  it('replaces an unsafe or oversized client id with a generated one', async () => {
    for (const bad of ['a b', 'x'.repeat(129), '<script>', 'id\u00e9']) {
      const res = await request(app).get('/').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/);
    }
  });

  it('generates one when none is sent', async () => {
    const res = await request(app).get('/');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});
