import type { IncomingMessage } from 'node:http';
import { newId } from '@navplane/core';
import { resolveRequestId } from '@navplane/http';
import { splitRequestUrl } from '@navplane/providers';
import type { Lineage, Started } from '../gateway-context';

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

/** The pipeline's start: the clock, the request id (the client's when sane) and the trace id. */
export function startRequest(req: IncomingMessage): Started {
  const startedAt = performance.now();
  const startedAtMs = Date.now();
  const { path, rawQuery } = splitRequestUrl(req.url ?? '/');
  return {
    traceId: newId('trace', startedAtMs),
    requestId: resolveRequestId(req.headers['x-request-id']),
    method: req.method ?? 'GET',
    path,
    rawQuery,
    startedAt,
    startedAtMs,
    lineage: readLineage(req.headers),
  };
}

/** The time the gateway has spent on a request so far, formatted for `X-NavPlane-Overhead-Ms`. */
export function formatOverhead(ms: number): string {
  return ms.toFixed(2);
}
