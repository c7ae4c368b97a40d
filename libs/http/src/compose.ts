import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs `handlers` in order as one handler: each calls `next()` to go on or `next(error)` to stop
 * (errors and rejected promises go to the outer `next`). Behaves like mounting them one by one, without
 * the router's per-layer matching — used on the gateway's hot path, where every request runs them all.
 */
export function composeHandlers(handlers: readonly RequestHandler[]): RequestHandler {
  const count = handlers.length;
  return function composed(req: Request, res: Response, outerNext: NextFunction) {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) {
        outerNext(error);
        return;
      }
      if (index >= count) {
        outerNext();
        return;
      }
      const handler = handlers[index] as RequestHandler;
      index += 1;
      try {
        const result = handler(req, res, step) as unknown;
        if (result instanceof Promise) result.catch(outerNext);
      } catch (caught) {
        outerNext(caught);
      }
    };
    step();
  };
}
