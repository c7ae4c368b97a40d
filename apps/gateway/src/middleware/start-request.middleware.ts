import { newId } from '@navplane/core';
import type { RequestHandler } from 'express';
import type { GatewayContext, Lineage } from '../gateway-context';

// Lineage ids are the client's; keep them only when short and plain.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function lineageHeader(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && SANE_ID.test(text) ? text : null;
}

/** Reads the lineage headers (`X-NavPlane-Trace-Group`, `-Thread`, `-Run`, `-Parent-Trace`). */
export function readLineage(headers: Record<string, string | string[] | undefined>): Lineage {
  return {
    traceGroup: lineageHeader(headers['x-navplane-trace-group']),
    threadId: lineageHeader(headers['x-navplane-thread']),
    runId: lineageHeader(headers['x-navplane-run']),
    parentTraceId: lineageHeader(headers['x-navplane-parent-trace']),
  };
}

/** Starts the gateway context: the clock, the trace id (`X-NavPlane-Trace-Id` on every response). */
export function startRequest(): RequestHandler {
  return function startGatewayRequest(req, res, next) {
    const startedAt = performance.now();
    const startedAtMs = Date.now();
    const traceId = newId('trace', startedAtMs);
    const context: GatewayContext = {
      traceId,
      requestId: res.locals['requestId'] as string,
      method: req.method,
      path: req.path,
      startedAt,
      startedAtMs,
      lineage: readLineage(req.headers),
    };
    res.locals['gateway'] = context;
    res.setHeader('X-NavPlane-Trace-Id', traceId);
    next();
  };
}

/** The time the gateway has spent on a request so far, formatted for `X-NavPlane-Overhead-Ms`. */
export function formatOverhead(ms: number): string {
  return ms.toFixed(2);
}
