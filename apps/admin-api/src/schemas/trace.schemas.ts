import { z } from 'zod';
import { limitQuery, pathId, timestamp } from './common.schemas';

/** One proxied request as listings show it (no bodies). */
export const traceSummarySchema = z.object({
  id: z.string(),
  orgId: z.string(),
  workspaceId: z.string().nullable(),
  keyId: z.string().nullable(),
  provider: z.string(),
  model: z.string().nullable(),
  route: z.string(),
  method: z.string(),
  status: z.number().int().describe('HTTP status the client got'),
  requestId: z.string(),
  startedAt: timestamp,
  latencyMs: z.number(),
  ttfbMs: z.number().nullable(),
  overheadMs: z.number().nullable().describe('Time the gateway itself added'),
  tokensIn: z.number().int().nullable(),
  tokensOut: z.number().int().nullable(),
  cacheReadTokens: z.number().int().nullable(),
  cacheWriteTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().describe('Estimated cost; null when unknown (never 0 for unknown)'),
  costStatus: z.enum(['exact', 'estimated', 'unknown']),
  errorClass: z.string().nullable(),
  upstreamFailure: z.string().nullable(),
  traceGroup: z.string().nullable(),
  threadId: z.string().nullable(),
  runId: z.string().nullable(),
  parentTraceId: z.string().nullable(),
  policyDecisions: z.unknown().describe('Detector, field and action per decision; never the sensitive text'),
  stream: z.boolean(),
});

/** One trace with its (redacted) bodies, when body capture is on. */
export const traceSchema = traceSummarySchema.extend({
  requestBody: z.string().nullable(),
  responseBody: z.string().nullable(),
});

/** `GET /admin/orgs/:orgId/requests` query. */
export const requestsQuery = z.strictObject({
  limit: limitQuery(50),
  before: z.string().min(1).optional().describe('Cursor: `nextCursor` of the previous page (a trace id)'),
});

/** `:traceId` path parameter. */
export const traceParams = z.strictObject({ traceId: pathId('Trace id (`trc_…`)') });
