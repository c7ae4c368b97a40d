import type { ServerResponse } from 'node:http';
import { AppError, isAppError } from '@navplane/core';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ERROR_TABLE } from './error-table';
import type { LoggerLike } from './logger-like';

/** The contract's JSON error envelope. */
export interface ErrorEnvelope {
  error: { message: string; type: string; code: string; param?: string };
}

/** Builds the envelope and status for an AppError through the one error table. */
export function toErrorResponse(error: AppError): { status: number; body: ErrorEnvelope } {
  const mapping = ERROR_TABLE[error.code];
  const param = error.details?.['param'];
  return {
    status: mapping.status,
    body: {
      error: {
        message: error.message,
        type: mapping.type,
        code: error.code,
        ...(typeof param === 'string' ? { param } : {}),
      },
    },
  };
}

/**
 * The headers an error answer carries beside its body: `Retry-After` when the error knows when a retry may succeed
 * (rate limits, a database that is unavailable), and OpenAI's `x-ratelimit-*` of the limit that refused the request
 * (`details.rateLimitHeaders`, docs/limits.md).
 */
export function errorHeaders(error: AppError): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  const retryAfterSeconds = error.details?.['retryAfterSeconds'];
  if (typeof retryAfterSeconds === 'number') out.push(['Retry-After', String(Math.ceil(retryAfterSeconds))]);
  const limits = error.details?.['rateLimitHeaders'];
  if (typeof limits === 'object' && limits !== null) {
    for (const [name, value] of Object.entries(limits)) {
      if (name.startsWith('x-ratelimit-') && typeof value === 'string') out.push([name, value]);
    }
  }
  return out;
}

/**
 * Sends an AppError as JSON on a plain node:http response (Express or not). When the response has already started
 * (a stream is flowing), nothing may be appended: the connection is ended instead, as the contract requires.
 */
export function sendError(res: ServerResponse, error: AppError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = toErrorResponse(error);
  for (const [name, value] of errorHeaders(error)) res.setHeader(name, value);
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown in a handler to an AppError; unknown errors become a generic 500. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const parserError = error as BodyParserError | null;
  if (parserError && typeof parserError === 'object') {
    if (parserError.type === 'entity.too.large') {
      return new AppError('request_too_large', 'Request body is larger than the configured limit', { cause: error });
    }
    if (parserError.type === 'entity.parse.failed') {
      return new AppError('invalid_request', 'Request body is not valid JSON', { cause: error });
    }
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      return new AppError('unsupported_media_type', 'Unsupported content encoding or charset', { cause: error });
    }
  }
  return new AppError('internal_error', 'Internal error', { cause: error });
}

/** Options for the terminal error handler. */
export interface ErrorHandlerOptions {
  /** Where unexpected errors are logged (the log scrubs secrets). */
  logger: LoggerLike;
}

/** Express error middleware: the JSON envelope, never a stack trace or a secret. */
export function errorHandler({ logger }: ErrorHandlerOptions): ErrorRequestHandler {
  return function handleError(error: unknown, req: Request, res: Response, _next) {
    const appError = toAppError(error);
    if (appError.code === 'internal_error') {
      logger.error('unhandled error', {
        requestId: res.locals['requestId'],
        method: req.method,
        path: req.path,
        err: appError.cause instanceof Error ? appError.cause : String(appError.cause),
      });
    } else if (appError.code === 'storage_unavailable') {
      // An outage, not a bug: one warning per refused request, with the driver's error (never shown to the client).
      logger.warn('database unavailable', {
        requestId: res.locals['requestId'],
        method: req.method,
        path: req.path,
        err: appError.cause instanceof Error ? appError.cause : String(appError.cause),
      });
    }
    sendError(res, appError);
  };
}

/** Options for the fallback route handler. */
export interface NotFoundOptions {
  /** The code to answer with (gateway: `route_not_found`; admin API: `not_found`). */
  code?: 'route_not_found' | 'not_found';
}

/** The last handler: a JSON 404 for every unmatched route (default code `route_not_found`). */
export function notFound({ code = 'route_not_found' }: NotFoundOptions = {}): RequestHandler {
  return function handleNotFound(req, res) {
    sendError(res, new AppError(code, `No route for ${req.method} ${req.path}`));
  };
}
