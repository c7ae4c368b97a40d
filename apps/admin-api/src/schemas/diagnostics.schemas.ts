import type { DiagnosticsReport } from '@navplane/runtime';
import { z } from 'zod';
import { timestamp } from './common.schemas';

const count = z.number().int().min(0);
const ms = z.number().min(0);

const breakerSchema = z.object({
  orgId: z.string(),
  provider: z.string(),
  baseUrl: z.string().describe('The target’s upstream base URL, without credentials, query or fragment'),
  model: z.string(),
  keyName: z.string(),
  state: z.enum(['closed', 'open', 'half_open']),
  failures: count.describe('Consecutive counted failures (connect, timeout, 429, 5xx)'),
  openedAt: timestamp.nullable().describe('When it last opened; null for a closed breaker with recent failures'),
  probeAt: timestamp.nullable().describe('When an open breaker lets one probe through; null unless open'),
});

const gatewaySchema = z.object({
  traces: z.object({
    sink: z.enum(['database', 'none']).describe('`none`: NAVPLANE_TRACE_SINK=none, traces discarded on purpose (never counted as dropped)'),
    queueDepth: count.describe('Traces waiting to be written'),
    queueCapacity: count.describe('NAVPLANE_TRACE_QUEUE_SIZE (0 with the `none` sink)'),
    pressure: z.number().min(0).max(1).describe('queueDepth / queueCapacity: at 1 the next trace is dropped (`queue_full`)'),
    highWaterMark: count.describe('The deepest the queue has been since start'),
    enqueued: count,
    written: count,
    dropped: z.object({ queue_full: count, write_failed: count, shutdown: count }).describe('Traces dropped since start, by reason'),
    droppedTotal: count,
    batches: count,
    failedBatches: count,
    lastBatchMs: ms.describe('Duration of the last batch write'),
  }),
  circuitBreakers: z.object({
    total: count.describe('Breakers kept: open, half-open, and closed ones with recent failures (a healthy target has none)'),
    open: count,
    halfOpen: count,
    closed: count,
    breakers: z.array(breakerSchema).describe('Open first, then half-open, then closed; at most 200'),
    truncated: z.boolean().describe('More breakers exist than are listed'),
  }),
  upstreamPools: z.object({
    pools: count.describe('One keep-alive pool per upstream origin'),
    connected: count,
    free: count,
    running: count,
    pending: count.describe('Requests waiting for a connection'),
    byOrigin: z.array(
      z.object({
        origin: z.string(),
        tenant: z.boolean().describe('A tenant’s endpoint (a base URL stored with a key), reached through the egress guard'),
        connected: count,
        free: count,
        running: count,
        pending: count,
      }),
    ),
  }),
  websockets: z.object({ open: count.describe('Proxied WebSocket sessions open now') }),
});

/** `GET /admin/diagnostics` response: this process's figures (docs/admin-api.md, "Diagnostics"). */
export const diagnosticsSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: timestamp,
  process: z
    .object({
      pid: count,
      hostname: z.string(),
      apps: z.array(z.enum(['gateway', 'admin'])).describe('The apps this process runs'),
      version: z.string().describe('NavPlane’s version'),
      nodeVersion: z.string(),
      startedAt: timestamp,
      uptimeSeconds: z.number().min(0),
      scope: z.string().describe('Whose figures these are: this process only, never the cluster’s'),
    })
    .describe('The process every figure below belongs to'),
  database: z.object({
    dialect: z.enum(['sqlite', 'postgres']),
    url: z.string().describe('NAVPLANE_DATABASE_URL with its password masked'),
    reachable: z.boolean(),
    latencyMs: ms.nullable().describe('How long a trivial query took; null when unreachable'),
    error: z.string().nullable().describe('Why it is unreachable: an error code or class, never a driver message'),
    migrations: z.object({ current: z.boolean(), pending: z.array(z.string()) }).nullable(),
  }),
  changeFeed: z.object({
    transport: z.enum(['listen-notify', 'poll']),
    state: z.enum(['new', 'starting', 'started', 'closed']),
    pollIntervalMs: ms.nullable().describe('SQLite: NAVPLANE_CHANGE_FEED_POLL_MS; null on Postgres'),
    published: count.describe('Changes this process published'),
    received: count.describe('Changes other processes published that arrived here'),
    resyncs: count.describe('Times changes may have been missed and every cache was dropped'),
    errors: count.describe('Transport problems that did not stop the feed'),
    lastPublishedAt: timestamp.nullable(),
    lastReceivedAt: timestamp.nullable(),
    lastEventAt: timestamp.nullable().describe('The later of the two'),
    lastEventAgeMs: ms.nullable().describe('Time since lastEventAt'),
    lastReceivedLagMs: ms.nullable().describe('How long the last change from another process took to arrive'),
    maxReceivedLagMs: ms.nullable().describe('The longest any did since start'),
    lastErrorAt: timestamp.nullable(),
  }),
  caches: z
    .array(
      z.object({
        cache: z.string(),
        instances: count,
        size: count.describe('Keys the live instances hold'),
        maxEntries: count,
        hits: count,
        misses: count,
        hitRate: z.number().min(0).max(1).nullable().describe('hits / (hits + misses); null before the first lookup'),
      }),
    )
    .describe('This process’s caches by name'),
  gateway: gatewaySchema.nullable().describe('The gateway of this process; null when none runs here (a gateway elsewhere: its /metrics)'),
});

// The schema and the runtime's report type describe one document: a field added to one but not the other fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.output<typeof diagnosticsSchema>, DiagnosticsReport> = true;
void sameShape;
