import { newId } from '@navplane/core';
import type { RequestHandler } from 'express';

// A client-sent id is kept only when it is short and plain, so it cannot inject into logs/headers.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Returns the client's request id when it is sane, else a new `req_…` id. */
export function resolveRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : newId('request');
}

/** Sets `res.locals.requestId` and the `X-Request-Id` response header on every request. */
export function requestId(): RequestHandler {
  return function assignRequestId(req, res, next) {
    const id = resolveRequestId(req.headers['x-request-id']);
    res.locals['requestId'] = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
