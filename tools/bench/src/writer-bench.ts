// `npm run bench:writer`: the trace writer's sustained rate on each dialect (traces/s at several batch
// sizes), and the gateway's latency at a fixed rate with tracing on (NAVPLANE_TRACE_SINK=db) and off
// (NAVPLANE_TRACE_SINK=none), side by side in alternating slices so drift hits both alike. Postgres runs when
// BENCH_POSTGRES_URL (or NAVPLANE_TEST_POSTGRES_URL) names a server; each run gets a fresh database.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { itemAt, newId, toIso } from '@navplane/core';
import type { NewTrace } from '@navplane/storage';
import { createTestDatabase } from '@navplane/testing';
import { createBatchingTraceWriter, openTraceStorage } from '@navplane/trace';
import { countTraces, GATEWAY_START_NODE_ARGS, readyLine, ROOT, seedGateway, startProcess, stop, type Started } from './bench-processes';
import { openLoop, openLoopFigures, openLoopSlices, type BenchRequest, type OpenLoopFigures, type OpenLoopResult } from './open-loop';

const POSTGRES_SERVER = process.env['BENCH_POSTGRES_URL'] ?? process.env['NAVPLANE_TEST_POSTGRES_URL'];
/** Traces written per writer measurement. */
const WRITER_TRACES = Number(process.env['BENCH_WRITER_TRACES'] ?? 100_000);
/** Runs per (dialect, batch size); the table shows the median and the range (the machine may be shared). */
const WRITER_REPEATS = Number(process.env['BENCH_WRITER_REPEATS'] ?? 3);
/** Batch sizes measured. */
const BATCH_SIZES = (process.env['BENCH_BATCH_SIZES'] ?? '50,200,1000').split(',').map(Number);
/** Fixed request rate of the latency comparison (req/s). */
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
/** Measured seconds of load per mode (tracing on, tracing off). */
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
/** Length of one slice of the alternating schedule, and its unmeasured settle part. */
const SLICE_SECONDS = Number(process.env['BENCH_SLICE_SECONDS'] ?? 2);
const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 250);
/** Both gateways with tracing off (an A/A run): what the on/off columns show when there is no difference. */
const CALIBRATE = process.env['BENCH_CALIBRATE'] === '1';
const PROXY_CORE = process.env['BENCH_PROXY_CORE'] ?? '1';
const OTHER_CORE = process.env['BENCH_OTHER_CORE'] ?? '0';
/** Which parts run: writer, retention, latency (default all). */
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'writer,retention,latency').split(','));
/** Old traces deleted by the retention measurement. */
const RETENTION_TRACES = Number(process.env['BENCH_RETENTION_TRACES'] ?? 50_000);

type Dialect = 'sqlite' | 'postgres';

// createTestDatabase makes each run's fresh database (SQLite: a temp file; Postgres: CREATE DATABASE on this
// server), migrated, and drops it afterwards.
if (POSTGRES_SERVER !== undefined) process.env['NAVPLANE_TEST_POSTGRES_URL'] = POSTGRES_SERVER;

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6', 'claude-haiku-4-5'];

/** A trace shaped like the gateway's: a few orgs and keys, tokens and cost, lineage on one in five. */
function benchTrace(i: number, orgs: string[], keys: string[]): NewTrace {
  const now = Date.now();
  const model = itemAt(MODELS, i % MODELS.length);
  const lineage = i % 5 === 0;
  return {
    id: newId('trace', now),
    orgId: itemAt(orgs, i % orgs.length),
    workspaceId: null,
    keyId: itemAt(keys, i % keys.length),
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    model,
    route: '/v1/chat/completions',
    method: 'POST',
    status: i % 50 === 0 ? 429 : 200,
    requestId: newId('request', now),
    startedAt: toIso(now),
    latencyMs: 812.25,
    ttfbMs: 120.5,
    overheadMs: 0.42,
    tokensIn: 1200,
    tokensOut: 345,
    costUsd: i % 10 === 0 ? null : 0.000123,
    costStatus: i % 10 === 0 ? 'unknown' : 'estimated',
    runId: lineage ? `run-${i % 100}` : null,
    threadId: lineage ? `thread-${i % 100}` : null,
    stream: i % 3 === 0,
  };
}

interface WriterResult {
  dialect: Dialect;
  batchSize: number;
  traces: number;
  seconds: number;
  tracesPerSecond: number;
  batches: number;
  avgBatchMs: number;
  dropped: number;
  rows: number;
}

/** Feeds the writer as fast as it drains (the queue never overflows) and times `WRITER_TRACES` traces to disk. */
async function measureWriter(dialect: Dialect, batchSize: number): Promise<WriterResult> {
  const target = await createTestDatabase(dialect);
  const database = target.database;
  try {
    // The gateway's own write path: a separate connection (SQLite busy_timeout 0 / a small Postgres pool).
    const storage = await openTraceStorage({ shared: database, url: target.url });
    const queueSize = Math.max(2000, batchSize * 4);
    const writer = createBatchingTraceWriter({ traces: storage.traces, batchSize, queueSize, flushIntervalMs: 100 });
    const orgs = Array.from({ length: 10 }, () => newId('org'));
    const keys = Array.from({ length: 50 }, () => newId('gatewayKey'));
    const traces = Array.from({ length: WRITER_TRACES }, (_, i) => benchTrace(i, orgs, keys));

    const started = performance.now();
    let next = 0;
    while (next < traces.length) {
      let room = queueSize - writer.stats().queueDepth;
      while (room > 0 && next < traces.length) {
        writer.enqueue(itemAt(traces, next));
        next += 1;
        room -= 1;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.flush();
    const seconds = (performance.now() - started) / 1000;
    const stats = writer.stats();
    await writer.close();
    await storage.close();
    const dropped = stats.dropped.queue_full + stats.dropped.write_failed + stats.dropped.shutdown;
    return {
      dialect,
      batchSize,
      traces: traces.length,
      seconds,
      tracesPerSecond: stats.written / seconds,
      batches: stats.batches,
      avgBatchMs: (seconds * 1000) / Math.max(1, stats.batches),
      dropped,
      rows: await countTraces(target.url),
    };
  } finally {
    await target.drop();
  }
}

interface RetentionResult {
  dialect: Dialect;
  deleted: number;
  batchSize: number;
  batches: number;
  seconds: number;
  /** Mean time one DELETE batch holds its locks (the pauses between batches excluded). */
  msPerBatch: number;
  maxBatchMs: number;
}

/** Deletes RETENTION_TRACES old traces in batches of 500 (the sweeper's default) and times each batch. */
async function measureRetention(dialect: Dialect): Promise<RetentionResult> {
  const target = await createTestDatabase(dialect);
  try {
    const storage = await openTraceStorage({ shared: target.database, url: target.url });
    const orgs = Array.from({ length: 10 }, () => newId('org'));
    const keys = Array.from({ length: 50 }, () => newId('gatewayKey'));
    const old = Date.now() - 60 * 24 * 3600_000;
    for (let start = 0; start < RETENTION_TRACES; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, RETENTION_TRACES - start) }, (_, i) => ({
        ...benchTrace(start + i, orgs, keys),
        startedAt: toIso(old + start + i),
      }));
      await storage.traces.insertBatch(batch);
    }
    // One batch per call (shouldStop ends the loop after the first statement), timed alone; the sweeper's
    // 5 ms pause goes between calls, as in production.
    const cutoff = toIso(Date.now() - 30 * 24 * 3600_000);
    const batchMs: number[] = [];
    let deleted = 0;
    const started = performance.now();
    for (;;) {
      let calls = 0;
      const t0 = performance.now();
      const count = await storage.traces.deleteOlderThan(cutoff, { batchSize: 500, shouldStop: () => calls++ > 0 });
      batchMs.push(performance.now() - t0);
      deleted += count;
      if (count < 500) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    await storage.close();
    return {
      dialect,
      deleted,
      batchSize: 500,
      batches: batchMs.length,
      seconds,
      msPerBatch: batchMs.length === 0 ? Number.NaN : batchMs.reduce((a, b) => a + b, 0) / batchMs.length,
      maxBatchMs: Math.max(...batchMs),
    };
  } finally {
    await target.drop();
  }
}

interface LatencyResult extends OpenLoopFigures {
  dialect: Dialect;
  sink: 'db' | 'none';
  /** Tracing on: rows in the database, and requests answered (measured + warm-up); equal when nothing dropped. */
  tracesWritten: number | null;
  answered: number | null;
}

/**
 * Gateway p50/p90/p99 at RATE req/s with tracing on and off. Both gateways run side by side on the same cores and
 * database, and one open-loop schedule alternates between them in slices of SLICE_SECONDS (A B B A …, SECONDS of
 * measured load per mode), so both modes are measured under the same machine conditions: on this shared VM the
 * drift between two separate runs is larger than the 5 % sought. Only the gateway being measured gets requests.
 */
async function measureLatency(dialect: Dialect, upstreamUrl: string): Promise<LatencyResult[]> {
  const target = await createTestDatabase(dialect);
  const masterKey = randomBytes(32);
  // The running gateways, in the order of `sinks`.
  const gateways: Started[] = [];
  try {
    const key = await seedGateway(target.url, masterKey);
    const req: BenchRequest = {
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the benchmark' }] }),
    };
    const sinks = ['db', 'none'] as const;
    for (const sink of sinks) {
      // BENCH_CALIBRATE: both gateways run with tracing off, so the table shows the method's own noise.
      const runsWith = CALIBRATE ? 'none' : sink;
      const gateway = await startProcess(
        [...GATEWAY_START_NODE_ARGS, join(ROOT, 'apps/cli/dist/main.js'), 'serve', '--only', 'gateway'],
        {
          NAVPLANE_DATABASE_URL: target.url,
          NAVPLANE_MASTER_KEY: masterKey.toString('base64'),
          NAVPLANE_OPENAI_BASE_URL: upstreamUrl,
          NAVPLANE_ANTHROPIC_BASE_URL: upstreamUrl,
          NAVPLANE_GATEWAY_PORT: '0',
          NAVPLANE_LOG_LEVEL: 'info',
          NAVPLANE_TRACE_SINK: runsWith,
          NODE_ENV: 'production',
        },
        PROXY_CORE,
        readyLine,
      );
      gateways.push(gateway);
    }
    const urls = gateways.map((gateway) => gateway.url);
    const warmUps: OpenLoopResult[] = [];
    for (const url of urls) warmUps.push(await openLoop(url, req, RATE, 2));
    const slices = Math.max(1, Math.round(SECONDS / SLICE_SECONDS));
    process.stderr.write(`- ${dialect}: tracing on and off, ${slices} slices of ${SLICE_SECONDS}s each at ${RATE} req/s\n`);
    const measured = await openLoopSlices(urls, req, {
      rate: RATE,
      sliceSeconds: SLICE_SECONDS,
      slicesPerTarget: slices,
      settleMs: SETTLE_MS,
    });
    for (const gateway of gateways) await stop(gateway);
    const written = await countTraces(target.url);
    const sentTo = (index: number) => {
      const run = itemAt(measured, index);
      return itemAt(warmUps, index).sent + run.sent + (run.settled ?? 0);
    };
    return sinks.map((sink, index) => {
      const run = itemAt(measured, index);
      return {
        dialect,
        sink,
        ...openLoopFigures(run),
        tracesWritten: sink === 'db' ? written : null,
        answered: sink === 'db' ? sentTo(index) : null,
      };
    });
  } finally {
    for (const gateway of gateways) if (gateway.child.exitCode === null) await stop(gateway);
    await target.drop();
  }
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main(): Promise<void> {
  const dialects: Dialect[] = POSTGRES_SERVER ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!POSTGRES_SERVER) process.stderr.write('BENCH_POSTGRES_URL / NAVPLANE_TEST_POSTGRES_URL not set: Postgres skipped\n');
  const writer: WriterResult[] = [];
  const latency: LatencyResult[] = [];
  if (PARTS.has('writer')) {
    for (const dialect of dialects) {
      for (const batchSize of BATCH_SIZES) {
        for (let repeat = 0; repeat < WRITER_REPEATS; repeat += 1) {
          process.stderr.write(`- writer on ${dialect}, batch ${batchSize}: ${WRITER_TRACES} traces (${repeat + 1}/${WRITER_REPEATS})\n`);
          writer.push(await measureWriter(dialect, batchSize));
        }
      }
    }
  }
  const retention: RetentionResult[] = [];
  if (PARTS.has('retention')) {
    for (const dialect of dialects) {
      process.stderr.write(`- retention on ${dialect}: ${RETENTION_TRACES} old traces\n`);
      retention.push(await measureRetention(dialect));
    }
  }
  if (PARTS.has('latency')) {
    const upstream = await startProcess([join(__dirname, 'upstream.process.js')], {}, OTHER_CORE, readyLine);
    try {
      for (const dialect of dialects) latency.push(...(await measureLatency(dialect, upstream.url)));
    } finally {
      await stop(upstream);
    }
  }

  if (writer.length > 0) {
    process.stdout.write(
      `\nTrace writer, sustained (${WRITER_TRACES} traces per run, fed as fast as it drains, ${WRITER_REPEATS} runs each)\n`,
    );
    const groups = new Map<string, WriterResult[]>();
    for (const r of writer) groups.set(`${r.dialect}/${r.batchSize}`, [...(groups.get(`${r.dialect}/${r.batchSize}`) ?? []), r]);
    console.table(
      [...groups.values()].map((runs) => {
        const rates = runs.map((r) => r.tracesPerSecond).sort((a, b) => a - b);
        const median = itemAt(rates, Math.floor(rates.length / 2));
        const first = itemAt(runs, 0);
        return {
          dialect: first.dialect,
          batch: first.batchSize,
          'traces/s (median)': fmt(median, 0),
          'traces/s (min-max)': `${fmt(itemAt(rates, 0), 0)}-${fmt(itemAt(rates, rates.length - 1), 0)}`,
          'ms/batch (median run)': fmt((first.batchSize / median) * 1000),
          dropped: runs.reduce((sum, r) => sum + r.dropped, 0),
          'rows = sent': String(runs.every((r) => r.rows === r.traces)),
        };
      }),
    );
  }
  if (retention.length > 0) {
    process.stdout.write(`\nRetention: ${RETENTION_TRACES} old traces deleted in batches of 500, 5 ms apart\n`);
    console.table(
      retention.map((r) => ({
        dialect: r.dialect,
        deleted: r.deleted,
        batches: r.batches,
        'ms per batch (mean)': fmt(r.msPerBatch),
        'ms per batch (max)': fmt(r.maxBatchMs),
        'total s': fmt(r.seconds),
      })),
    );
  }
  if (latency.length > 0) {
    process.stdout.write(
      `\nGateway latency at ${RATE} req/s, open loop, tracing on and off side by side in alternating ${SLICE_SECONDS}s slices (${SECONDS}s measured per mode, first ${SETTLE_MS} ms of each slice unmeasured), gateways pinned to core ${PROXY_CORE}\n`,
    );
    const rows = latency.map((r) => {
      const off = latency.find((o) => o.dialect === r.dialect && o.sink === 'none');
      if (off === undefined) throw new Error(`latency: no tracing-off run on ${r.dialect}`);
      const delta = (a: number, b: number) => (r.sink === 'none' ? '' : `${a >= b ? '+' : ''}${fmt(((a - b) / b) * 100, 1)}%`);
      return {
        dialect: r.dialect,
        tracing: CALIBRATE ? (r.sink === 'db' ? 'off (A, calibration)' : 'off (B)') : r.sink === 'db' ? 'on (db)' : 'off (none)',
        requests: r.ok,
        errors: r.errors,
        'p50 ms': fmt(r.p50, 3),
        'p50 vs off': delta(r.p50, off.p50),
        'p90 ms': fmt(r.p90, 3),
        'p90 vs off': delta(r.p90, off.p90),
        'p99 ms': fmt(r.p99, 3),
        'p99 vs off': delta(r.p99, off.p99),
        'traces written / answered': r.tracesWritten === null || CALIBRATE ? '' : `${r.tracesWritten} / ${r.answered}`,
      };
    });
    console.table(rows);
  }
  process.stdout.write(
    `${JSON.stringify({ writerTraces: WRITER_TRACES, rate: RATE, calibrate: CALIBRATE, seconds: SECONDS, sliceSeconds: SLICE_SECONDS, settleMs: SETTLE_MS, writer, retention, latency })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`writer bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
