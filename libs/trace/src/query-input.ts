import { AppError, err, isId, ok, type Result } from '@navplane/core';
import type { TraceStatusFilter } from '@navplane/storage';

// Validation of what callers (admin API query strings, CLI flags) pass to the trace queries: every problem is an
// `invalid_request` naming the parameter, never a thrown error.

const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const STATUS_CLASSES = new Set(['1xx', '2xx', '3xx', '4xx', '5xx', 'failed']);

/** `invalid_request` naming the offending parameter in `details.param`. */
export function invalidParam(param: string, message: string): Result<never, AppError> {
  return err(new AppError('invalid_request', message, { details: { param } }));
}

/**
 * Parses an instant: `YYYY-MM-DD` (UTC midnight) or an ISO-8601 timestamp with `Z` or an offset (a time
 * without a zone is refused: it would depend on the server's time zone). Returns the storage form
 * (`toISOString()`), or undefined for undefined.
 */
export function parseInstant(param: string, value: string | undefined): Result<string | undefined, AppError> {
  if (value === undefined) return ok(undefined);
  const ms = INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    return invalidParam(param, `${param} must be a date (YYYY-MM-DD) or an ISO-8601 time with a zone, e.g. 2026-11-23T10:00:00Z`);
  }
  return ok(new Date(ms).toISOString());
}

/** Parses both ends of a time range (`from` inclusive, `to` exclusive); `from` must be before `to`. */
export function parseRange(from: string | undefined, to: string | undefined): Result<{ from?: string; to?: string }, AppError> {
  const start = parseInstant('from', from);
  if (!start.ok) return start;
  const end = parseInstant('to', to);
  if (!end.ok) return end;
  if (start.value !== undefined && end.value !== undefined && start.value >= end.value) {
    return invalidParam('from', 'from must be before to');
  }
  return ok({ from: start.value, to: end.value });
}

/** Parses a status filter: a status code (100-599), a class (`2xx` … `5xx`) or `failed` (status >= 400). */
export function parseStatus(value: number | string | undefined): Result<TraceStatusFilter | undefined, AppError> {
  if (value === undefined) return ok(undefined);
  const text = String(value).trim().toLowerCase();
  if (STATUS_CLASSES.has(text)) return ok(text as Exclude<TraceStatusFilter, number>);
  if (/^\d{3}$/.test(text) && Number(text) >= 100 && Number(text) <= 599) return ok(Number(text));
  return invalidParam('status', 'status must be a status code (e.g. 429), a class (2xx, 4xx, 5xx) or failed');
}

/** Parses a page size: an integer from 1 to `max` (default `fallback`). */
export function parseLimit(value: number | undefined, fallback: number, max: number): Result<number, AppError> {
  if (value === undefined) return ok(fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) return invalidParam('limit', `limit must be an integer from 1 to ${max}`);
  return ok(value);
}

/** Checks a listing cursor: the id of a trace (`trc_…`). */
export function parseCursor(value: string | undefined): Result<string | undefined, AppError> {
  if (value === undefined || isId('trace', value)) return ok(value);
  return invalidParam('before', 'before must be a trace id (trc_…)');
}

/** Checks a free-text filter (model, provider, key id): 1-200 characters. */
export function parseText(param: string, value: string | undefined): Result<string | undefined, AppError> {
  if (value === undefined) return ok(undefined);
  if (value.length === 0 || value.length > 200) return invalidParam(param, `${param} must be 1 to 200 characters`);
  return ok(value);
}
