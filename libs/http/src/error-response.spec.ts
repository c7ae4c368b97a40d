import { expect } from '@jest/globals';
import { AppError, ERROR_CODES } from '@navplane/core';
import express from 'express';
import request from 'supertest';
import { errorHandler, notFound, toErrorResponse } from './error-response';
import { ERROR_TABLE } from './error-table';

const CONTRACT_STATUSES: Record<string, number> = {
  missing_api_key: 401,
  invalid_api_key: 401,
  org_disabled: 403,
  permission_denied: 403,
  model_not_allowed: 403,
  provider_key_missing: 400,
  policy_blocked: 400,
  invalid_request: 400,
  route_not_found: 404,
  request_too_large: 413,
  rate_limited: 429,
  budget_exceeded: 429,
  upstream_unreachable: 502,
  policy_unavailable: 503,
  auth_unavailable: 503,
  vault_unavailable: 503,
  storage_unavailable: 503,
  upstream_timeout: 504,
};

function silentLogger() {
  const lines: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  const log = (message: string, meta?: Record<string, unknown>) => lines.push({ message, meta });
  return { lines, logger: { error: log, warn: log, info: log } };
}

describe('the error table', () => {
  it.each(Object.entries(CONTRACT_STATUSES))('maps %s to HTTP %i as the contract says', (code, status) => {
    const { status: actual, body } = toErrorResponse(new AppError(code as never, 'msg'));
    expect(actual).toBe(status);
    expect(body).toEqual({ error: { message: 'msg', type: expect.any(String), code } });
  });

  it('covers every error code', () => {
    expect(Object.keys(ERROR_TABLE).sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe('errorHandler', () => {
  function appThrowing(error: unknown) {
    const { logger, lines } = silentLogger();
    const app = express();
    app.use(express.json({ limit: 10 }));
    app.post('/x', () => {
      throw error;
    });
    app.get('/x', () => {
      throw error;
    });
    app.use(notFound());
    app.use(errorHandler({ logger }));
    return { app, lines };
  }

  it('answers an AppError with its status and envelope', async () => {
    const { app } = appThrowing(new AppError('org_disabled', 'Organization is disabled'));
    const res = await request(app).get('/x');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { message: 'Organization is disabled', type: 'permission_error', code: 'org_disabled' },
    });
  });

  it('hides unexpected errors behind a generic 500 and logs them', async () => {
    const { app, lines } = appThrowing(new Error('db password=hunter2 at /srv/secret.ts:12'));
    const res = await request(app).get('/x');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { message: 'Internal error', type: 'api_error', code: 'internal_error' } });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('.ts');
    expect(lines).toHaveLength(1);
  });

  it('turns malformed JSON into invalid_request and an oversized body into request_too_large', async () => {
    const { app } = appThrowing(new Error('unused'));
    const bad = await request(app).post('/x').set('Content-Type', 'application/json').send('{"a":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } });
    const big = await request(app)
      .post('/x')
      .send({ text: 'x'.repeat(100) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'request_too_large' } });
  });

  it('answers unknown routes with route_not_found', async () => {
    const { app } = appThrowing(new Error('unused'));
    const res = await request(app).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('answers storage_unavailable with 503, Retry-After and the envelope, logging the cause as a warning only', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { app, lines } = appThrowing(
      new AppError('storage_unavailable', 'The database is unavailable right now; retry shortly', {
        retryable: true,
        cause,
        details: { retryAfterSeconds: 5 },
      }),
    );
    const res = await request(app).get('/x');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({
      error: { message: 'The database is unavailable right now; retry shortly', type: 'api_error', code: 'storage_unavailable' },
    });
    expect(res.text).not.toContain('5432');
    expect(lines.map((line) => line.message)).toEqual(['database unavailable']);
  });

  it('sets Retry-After on rate_limited', async () => {
    const { app } = appThrowing(new AppError('rate_limited', 'slow down', { details: { retryAfterSeconds: 2.2 } }));
    const res = await request(app).get('/x');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
  });
});
