// Limits on (Redis) vs off (docs/limits.md, docs/performance.md), with its own A/A calibration in the same schedule,
// like otel-compare.ts: three featured gateways side by side on the proxy core, `on` with the org's limits document
// counted in Redis (NAVPLANE_REDIS_URL, a key prefix of this run's own), `off` and `off2` without a limits document.
// One open-loop schedule alternates between them in slices, so the three see the same machine state: on vs off is the
// cost of limits, off2 vs off what the method reports when there is no difference at all.
//
// Each gateway has its own copy of one seeded database (the same org and NavPlane key): `on`'s copy alone holds the
// limits document. The document puts key-scope rpm, tpm and concurrency limits and an org-scope daily budget far above
// what the bench sends, so every request of `on` runs the Redis admission script, holds and releases a concurrency
// lease, and reserves and settles its budget, and none is refused.
import { randomBytes } from 'node:crypto';
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { itemAt } from '@navplane/core';
import { openDatabase, type JsonObject } from '@navplane/storage';
import { readMetricSamples } from '@navplane/telemetry';
import { deleteRedisKeys, redisKeys } from '@navplane/testing';
import { stop, type Started } from './bench-processes';
import { median, type LimitsFigures, type TracingPercentile } from './check-targets';
import { authHeaders, chatRequests, putLimits, seedFeaturedGateway, startFeaturedGateway, type SeededGateway } from './gateway-under-test';
import { openLoop, openLoopFigures, openLoopSlices, type BenchRequest, type OpenLoopFigures } from './open-loop';
import type { BenchSettings } from './settings';

const MODES = ['on', 'off', 'off2'] as const;

/** The key's limits of the `on` gateway: the largest LIMIT_BOUNDS allow, so nothing the bench sends is refused. */
export const BENCH_KEY_LIMITS = { rpm: 10_000_000, tpm: 10_000_000_000, concurrency: 100_000 } as const;
/** The org's daily budget, USD: a request reserves at most a few tenths of a cent (docs/limits.md, Budgets). */
export const BENCH_ORG_BUDGET_USD = 1_000_000;

export interface LimitsModeResult extends OpenLoopFigures {
  id: (typeof MODES)[number];
}

export interface LimitsResult {
  rate: number;
  slices: number;
  modes: LimitsModeResult[];
  /** Requests of `on` that did not answer 200: measured, warm-up and the header probe. */
  onNon200: number;
  /** `x-ratelimit-limit-requests` of a probe request to `on` and to `off` (none expected). */
  onLimitHeader: string | null;
  offLimitHeader: string | null;
  /** Keys under the run's Redis prefix at the end of the run, by kind (rpm, tpm, concurrency, budget, other). */
  redisKeys: Record<string, number>;
  /** The org's settled spend in `on`'s database (its daily budget), USD. */
  settledUsd: number;
  /**
   * From `on`'s /metrics before it stopped: failed Redis calls (each one a request counted in memory instead, under
   * the default NAVPLANE_LIMITS_FAIL_MODE=open) and refusals by any limit.
   */
  backendErrors: number;
  refusedByLimits: number;
}

/** Undefined when Redis at `url` answers PING within 2 s, else why not (the part is then skipped). */
export async function redisUnreachable(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The connection's own error (ECONNREFUSED …) says more than the command's "Connection is closed".
  let connectionError: Error | undefined;
  client.on('error', (error: Error) => {
    connectionError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    const cause = connectionError ?? error;
    return `Redis at ${new URL(url).host} does not answer (${cause instanceof Error ? cause.message : String(cause)}); set BENCH_REDIS_URL`;
  } finally {
    client.disconnect();
  }
}

/** The limits document of `on`: the bench key's rpm, tpm and concurrency, and the org's daily budget. */
const limitsDocument = (seeded: SeededGateway): JsonObject => ({
  limits: [
    { scope: { type: 'org' }, budget: { usd: BENCH_ORG_BUDGET_USD, period: 'day' } },
    { scope: { type: 'key', id: seeded.keyId }, ...BENCH_KEY_LIMITS },
  ],
});

/** Copies the SQLite database at `from` (and its WAL, when one is left) to `to`. */
async function copySqlite(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  const wal = await stat(`${from}-wal`).catch(() => undefined);
  if (wal !== undefined) await copyFile(`${from}-wal`, `${to}-wal`);
}

/** One request's `x-ratelimit-limit-requests` and status. */
async function probe(url: string, req: BenchRequest): Promise<{ status: number; limit: string | null }> {
  const response = await fetch(new URL(req.path, url), {
    method: 'POST',
    headers: { ...req.headers, 'content-type': 'application/json' },
    body: req.body,
  });
  await response.arrayBuffer();
  return { status: response.status, limit: response.headers.get('x-ratelimit-limit-requests') };
}

/** The sum of a counter's samples on the gateway's /metrics. */
async function metricTotal(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return readMetricSamples(text, name).reduce((sum, sample) => sum + sample.value, 0);
}

/** The kind of a limits key under the prefix (docs/limits.md, "Keys"). */
const keyKind = (key: string, prefix: string): string => {
  const rest = key.slice(prefix.length);
  if (rest.startsWith('budget:')) return 'budget';
  const kind = /:(rpm|tpm|concurrency)$/.exec(rest)?.[1];
  return kind ?? 'other';
};

async function settledUsd(dbUrl: string, orgId: string): Promise<number> {
  const database = await openDatabase({ url: dbUrl, poolSize: 1 });
  try {
    const rows = await database.db.selectFrom('budget_spend').select('spent_usd').where('org_id', '=', orgId).execute();
    return rows.reduce((sum, row) => sum + Number(row.spent_usd), 0);
  } finally {
    await database.close();
  }
}

export async function measureLimits(upstreamUrl: string, dir: string, settings: BenchSettings): Promise<LimitsResult> {
  const run = `limits-${Date.now()}`;
  const files = { off: join(dir, `${run}-off.db`), off2: join(dir, `${run}-off2.db`), on: join(dir, `${run}-on.db`) };
  const seeded = await seedFeaturedGateway(`sqlite:${files.off}`);
  await copySqlite(files.off, files.off2);
  await copySqlite(files.off, files.on);
  await putLimits(`sqlite:${files.on}`, seeded, limitsDocument(seeded));
  const req = chatRequests(authHeaders(seeded)).json;
  const prefix = `navplane-bench:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  const gateways: Started[] = [];
  try {
    for (const mode of MODES) {
      const env: Record<string, string> = mode === 'on' ? { NAVPLANE_REDIS_URL: settings.redisUrl, NAVPLANE_REDIS_PREFIX: prefix } : {};
      gateways.push(
        await startFeaturedGateway(seeded, {
          upstreamUrl,
          core: settings.proxyCore,
          nodeArgs: settings.gatewayNodeArgs,
          env,
          dbUrl: `sqlite:${files[mode]}`,
        }),
      );
    }
    const urls = gateways.map((gateway) => gateway.url);
    const warmUps: OpenLoopFigures[] = [];
    for (const url of urls) warmUps.push(openLoopFigures(await openLoop(url, req, settings.tracingRate, 2)));
    const onProbe = await probe(itemAt(urls, 0), req);
    const offProbe = await probe(itemAt(urls, 1), req);
    const slices = Math.max(1, Math.round(settings.limitsSeconds / settings.sliceSeconds));
    process.stderr.write(
      `- limits on (Redis) / off / off (A/A): ${slices} slices of ${settings.sliceSeconds}s each per gateway at ${settings.tracingRate} req/s\n`,
    );
    const measured = await openLoopSlices(urls, req, {
      rate: settings.tracingRate,
      sliceSeconds: settings.sliceSeconds,
      slicesPerTarget: slices,
      settleMs: settings.settleMs,
    });
    const backendErrors = await metricTotal(itemAt(urls, 0), 'navplane_limits_backend_errors_total');
    const refusedByLimits = await metricTotal(itemAt(urls, 0), 'navplane_limits_refused_total');
    // Stopping the gateways ends their requests: every lease is released and every budget reservation settled.
    for (const gateway of gateways.splice(0)) await stop(gateway);
    const keys: Record<string, number> = {};
    for (const key of await redisKeys(redis, prefix)) keys[keyKind(key, prefix)] = (keys[keyKind(key, prefix)] ?? 0) + 1;
    const modes = MODES.map((id, index) => ({ id, ...openLoopFigures(itemAt(measured, index)) }));
    return {
      rate: settings.tracingRate,
      slices,
      modes,
      onNon200: itemAt(modes, 0).errors + itemAt(warmUps, 0).errors + (onProbe.status === 200 ? 0 : 1),
      onLimitHeader: onProbe.limit,
      offLimitHeader: offProbe.limit,
      redisKeys: keys,
      settledUsd: await settledUsd(`sqlite:${files.on}`, seeded.orgId),
      backendErrors,
      refusedByLimits,
    };
  } finally {
    for (const gateway of gateways) await stop(gateway);
    await deleteRedisKeys(redis, prefix);
    redis.disconnect();
  }
}

/**
 * Did the limits run on `on`, in Redis, for every request (and not on `off`): the key's rpm in the header, counters in
 * Redis, spend settled, and no Redis call failed (none fell back to counting in memory).
 */
export const limitsInForce = (result: LimitsResult): boolean =>
  result.onLimitHeader === String(BENCH_KEY_LIMITS.rpm) &&
  result.backendErrors === 0 &&
  result.offLimitHeader === null &&
  (result.redisKeys['rpm'] ?? 0) > 0 &&
  result.settledUsd > 0;

/** The check's view of the limits runs: each percentile's median, errors and refusals summed, in force in every run. */
export function limitsFigures(results: readonly LimitsResult[]): LimitsFigures {
  const pick = (id: LimitsModeResult['id']): Record<TracingPercentile, number> => {
    const values = (p: TracingPercentile) =>
      results.map((result) => {
        const mode = result.modes.find((m) => m.id === id);
        if (mode === undefined) throw new Error(`limits result: no mode ${id}`);
        return mode[p];
      });
    return { p50: median(values('p50')), p90: median(values('p90')), p99: median(values('p99')) };
  };
  return {
    on: pick('on'),
    off: pick('off'),
    off2: pick('off2'),
    errors: results.reduce((sum, result) => sum + result.modes.reduce((n, mode) => n + mode.errors, 0), 0),
    onNon200: results.reduce((sum, result) => sum + result.onNon200, 0),
    inForce: results.length > 0 && results.every(limitsInForce),
  };
}
