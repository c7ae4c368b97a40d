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
  routeName: z.string().nullable().describe("The org's route that served the request (docs/routing.md); null when not routed"),
  attempts: z
    .unknown()
    .describe(
      "A routed request's upstream attempts in order, each `{provider, model, key, status, failure, latencyMs, backoffMs}` " +
        '(status null when it failed before one; failure the class, `connection_refused`, `response_timeout`…); null when not routed',
    ),
  otelTraceId: z
    .string()
    .nullable()
    .describe(
      "The OpenTelemetry trace id (32 hex digits) of the request's spans when OpenTelemetry is on (docs/observability.md); else null",
    ),
  tags: z
    .array(z.string())
    .describe("The request's tags (`X-NavPlane-Tags`: trimmed, duplicates collapsed, in the order sent); empty when it sent none"),
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
  model: z.string().min(1).max(200).optional().describe('Only this model (as the provider reported it)'),
  provider: z.string().min(1).max(50).optional().describe('Only this provider (`openai`, `anthropic`)'),
  keyId: z.string().min(1).max(100).optional().describe('Only requests made with this NavPlane key id'),
  status: z
    .string()
    .min(1)
    .max(10)
    .optional()
    .describe(
      'A status code (`429`), a class (`2xx`, `4xx`, `5xx`) or `failed` (a failed request: status >= 400, or a response ' +
        'that broke after it had started — any error class but `client_aborted`)',
    ),
  from: z.string().min(1).max(40).optional().describe('Inclusive start: `YYYY-MM-DD` or ISO-8601 with a zone'),
  to: z.string().min(1).max(40).optional().describe('Exclusive end: `YYYY-MM-DD` or ISO-8601 with a zone'),
});

const chainScopeSchema = z.object({ kind: z.enum(['group', 'thread', 'run']), id: z.string() });

/** A trace in a chain: its depth below its root; `inherited` marks the checkpoint chain a forked run continues. */
export const chainEntrySchema = traceSummarySchema.extend({ depth: z.number().int(), inherited: z.boolean() });

/** The chain up to a checkpoint, as it was stored (replay). */
export const replaySchema = z.object({
  checkpoint: traceSummarySchema,
  scope: chainScopeSchema.nullable().describe('The lineage id followed (run, else thread, else group); null: ancestors only'),
  forkedFrom: z
    .object({
      forkId: z.string(),
      sourceTraceId: z.string(),
      createdAt: timestamp,
      createdBy: z.string(),
      sourceMissing: z.boolean(),
    })
    .nullable(),
  traces: z.array(chainEntrySchema).readonly().describe('Deterministic order: a trace after its parent, then started_at, then id'),
  roots: z.array(z.string()).readonly().describe('Traces at depth 0, in chain order'),
  orphans: z
    .array(z.object({ traceId: z.string(), missingParentId: z.string() }))
    .readonly()
    .describe('Traces whose parent is not in the chain (another run, not written yet, deleted, or another org)'),
  cycles: z
    .array(z.object({ traceIds: z.array(z.string()).readonly(), brokenAt: z.string(), ignoredParentId: z.string() }))
    .readonly()
    .describe('Parent cycles broken to order the chain'),
  truncated: z.boolean().describe('More traces matched than one chain holds; the oldest were kept'),
});

/** A fork: a new run continuing from a checkpoint (no stored trace changes). */
export const forkSchema = z.object({
  fork: z.object({
    id: z.string(),
    orgId: z.string(),
    sourceTraceId: z.string(),
    newRunId: z.string(),
    createdAt: timestamp,
    createdBy: z.string(),
  }),
  continueWith: z
    .object({ 'X-NavPlane-Run': z.string(), 'X-NavPlane-Parent-Trace': z.string() })
    .describe('Send these headers on the next requests to continue the new run from the checkpoint'),
});

/** `:traceId` path parameter. */
export const traceParams = z.strictObject({ traceId: pathId('Trace id (`trc_…`)') });
