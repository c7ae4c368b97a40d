import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { composeHandlers } from './compose';

describe('composeHandlers', () => {
  const trail: string[] = [];
  const step =
    (name: string): RequestHandler =>
    (_req, _res, next) => {
      trail.push(name);
      next();
    };

  function appWith(handlers: RequestHandler[]) {
    const app = express();
    app.use(composeHandlers(handlers));
    app.use((_req, res) => {
      res.json({ trail: [...trail] });
    });
    app.use(((error, _req, res, _next) => {
      res.status(500).json({ error: (error as Error).message, trail: [...trail] });
    }) as express.ErrorRequestHandler);
    return app;
  }

  beforeEach(() => trail.splice(0));

  it('runs handlers in order, then continues after the chain', async () => {
    const res = await request(appWith([step('a'), step('b'), step('c')])).get('/');
    expect(res.body).toEqual({ trail: ['a', 'b', 'c'] });
  });

  it('stops at next(error), a throw, or a rejected promise', async () => {
    const viaNext: RequestHandler = (_req, _res, next) => next(new Error('refused'));
    const viaThrow: RequestHandler = () => {
      throw new Error('thrown');
    };
    const viaReject: RequestHandler = async () => {
      throw new Error('rejected');
    };
    for (const [handler, message] of [
      [viaNext, 'refused'],
      [viaThrow, 'thrown'],
      [viaReject, 'rejected'],
    ] as const) {
      trail.splice(0);
      const res = await request(appWith([step('a'), handler, step('never')])).get('/');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: message, trail: ['a'] });
    }
  });

  it('lets a handler answer without calling next', async () => {
    const answer: RequestHandler = (_req, res) => {
      res.status(201).json({ answered: true });
    };
    const res = await request(appWith([step('a'), answer, step('never')])).get('/');
    expect(res.status).toBe(201);
    expect(trail).toEqual(['a']);
  });
});
