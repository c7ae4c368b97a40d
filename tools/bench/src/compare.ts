// One run of the comparison: the direct path, then each proxy target (bare node:http pass-through, Express +
// http-proxy-middleware, the featured NavPlane gateway) in turn, each pinned to the proxy core. Per target:
// saturation req/s and proxy CPU per request (JSON, stream), then open-loop latency in rounds alternating with the
// direct path, so its added latency compares samples taken under the same conditions.
import { join } from 'node:path';
import { readMetricSamples } from '@navplane/telemetry';
import { countTraceRows, readyLine, startProcess, stop, type Started } from './bench-processes';
import type { RunFigures, TargetFigures } from './check-targets';
import { authHeaders, chatRequests, ROUTE_MODEL, startFeaturedGateway, type SeededGateway } from './gateway-under-test';
import { openLoop, percentile, type BenchRequest, type OpenLoopResult } from './open-loop';
import { processCpuMicros, waitForIdle } from './proc-stats';
import { saturate, type SaturationResult } from './saturate';
import type { BenchSettings, ProxyTarget } from './settings';

export type TargetId = 'direct' | ProxyTarget;

export const TARGET_NAMES: Record<TargetId, string> = {
  direct: 'direct (no proxy)',
  bare: 'bare node:http pass-through',
  express: 'Express + http-proxy-middleware',
  gateway: 'NavPlane gateway (auth, vault, tracing, redact_storage + capture)',
  routed: 'NavPlane gateway, routed (the same, by a fallback route whose first target answers)',
};

/** Open-loop latency, in ms (absolute). */
export interface LatencyFigures {
  json: { p50: number; p99: number };
  stream: { ttfc50: number; ttfc99: number; p50: number };
}

/** One target measured in one run. */
export interface TargetResult {
  id: TargetId;
  jsonRps: number;
  streamRps: number;
  /** Proxy CPU per completed request at saturation, µs (proxies only). */
  cpuUsJson?: number;
  cpuUsStream?: number;
  /** Share of a core the proxy used during each saturation phase (1 = a full core). */
  coreShareJson?: number;
  coreShareStream?: number;
  errors: number;
  latency: LatencyFigures;
  /** The direct path measured in alternation with this target (proxies only). */
  direct?: LatencyFigures;
}

/** The gateway's traces during one run. */
export interface GatewayTraces {
  written: number;
  withRequestBody: number;
  /** navplane_traces_dropped on /metrics before the gateway stopped ('unknown' when it could not be read). */
  dropped: string;
  /**
   * Its GC pauses over its whole turn per 1,000 requests answered, from /metrics (`navplane_nodejs_gc_duration_seconds`
   * by kind over `navplane_gateway_requests_total`), e.g. `minor 41.0 ms, major 3.2 ms`; 'unknown' when unreadable.
   */
  gcPauses: string;
}

export interface ComparisonRun {
  /** 1-based. */
  run: number;
  order: ProxyTarget[];
  targets: TargetResult[];
  gateway?: GatewayTraces;
}

const latencyOf = (json: OpenLoopResult[], stream: OpenLoopResult[]): LatencyFigures => {
  const pooled = (runs: OpenLoopResult[], pick: (run: OpenLoopResult) => number[]) => runs.flatMap(pick);
  const total = pooled(json, (r) => r.total);
  const ttfc = pooled(stream, (r) => r.firstByte);
  return {
    json: { p50: percentile(total, 50), p99: percentile(total, 99) },
    stream: {
      ttfc50: percentile(ttfc, 50),
      ttfc99: percentile(ttfc, 99),
      p50: percentile(
        pooled(stream, (r) => r.total),
        50,
      ),
    },
  };
};

const failed = (sat: SaturationResult) => sat.errors + sat.non2xx;

/** waitForIdle, saying so when the proxy took long to go idle (a backlog, or noise on its core). */
async function idle(pid: number, when: string): Promise<void> {
  const waited = await waitForIdle(pid);
  if (waited > 2000) process.stderr.write(`    (the proxy took ${(waited / 1000).toFixed(1)} s to go idle ${when})\n`);
}

/**
 * Saturation with the proxy's CPU (utime + stime from /proc) read before and after: µs per completed request, and
 * the share of a core the proxy used during the phase (near 100 % when the proxy is what limits the rate; well below
 * when the load generator or the upstream does). The proxy is first let go idle (the warm-up's leftovers are not
 * counted), and the reading after the phase waits for it to go idle again, so deferred work of the measured requests
 * (trace writes) is counted.
 */
export async function saturateWithCpu(
  baseUrl: string,
  req: BenchRequest,
  seconds: number,
  pid: number | undefined,
): Promise<SaturationResult & { cpuUs?: number; coreShare?: number }> {
  if (pid === undefined) return saturate(baseUrl, req, seconds);
  await idle(pid, 'before saturation');
  const before = processCpuMicros(pid);
  const t0 = performance.now();
  const sat = await saturate(baseUrl, req, seconds);
  const duringPhase = processCpuMicros(pid) - before;
  const phaseUs = (performance.now() - t0) * 1000;
  await idle(pid, 'after saturation');
  const used = processCpuMicros(pid) - before;
  return { ...sat, cpuUs: sat.completed > 0 ? used / sat.completed : Number.NaN, coreShare: duringPhase / phaseUs };
}

/** Measures one target: warm-up, saturation (with CPU when `pid` is given), then open loop alternating with `direct`. */
async function measure(
  id: TargetId,
  baseUrl: string,
  headers: Record<string, string>,
  settings: BenchSettings,
  options: { direct?: string; pid?: number; model?: string },
): Promise<TargetResult> {
  const { json, stream } = chatRequests(headers, options.model);
  const directReq = chatRequests({});
  const { seconds, rate, rounds } = settings;
  process.stderr.write(`  - ${id}: warm-up\n`);
  await saturate(baseUrl, json, 2);
  await saturate(baseUrl, stream, 2);
  process.stderr.write(`  - ${id}: saturation (${seconds}s each)\n`);
  const jsonSat = await saturateWithCpu(baseUrl, json, seconds, options.pid);
  const streamSat = await saturateWithCpu(baseUrl, stream, seconds, options.pid);
  // The open loop starts from an idle proxy (no trace backlog of the saturation phase in its samples).
  if (options.pid !== undefined) await idle(options.pid, 'before the open loop');
  process.stderr.write(
    `  - ${id}: open loop at ${rate} req/s (${seconds}s each, ${rounds} rounds${options.direct ? ', alternating with direct' : ''})\n`,
  );
  const slice = seconds / rounds;
  const runs = {
    json: [] as OpenLoopResult[],
    stream: [] as OpenLoopResult[],
    directJson: [] as OpenLoopResult[],
    directStream: [] as OpenLoopResult[],
  };
  for (let round = 0; round < rounds; round += 1) {
    if (options.direct) runs.directJson.push(await openLoop(options.direct, directReq.json, rate, slice));
    runs.json.push(await openLoop(baseUrl, json, rate, slice));
    if (options.direct) runs.directStream.push(await openLoop(options.direct, directReq.stream, rate, slice));
    runs.stream.push(await openLoop(baseUrl, stream, rate, slice));
  }
  const errors = [...runs.json, ...runs.stream].reduce((sum, run) => sum + run.errors, 0) + failed(jsonSat) + failed(streamSat);
  return {
    id,
    jsonRps: jsonSat.rps,
    streamRps: streamSat.rps,
    ...(jsonSat.cpuUs !== undefined ? { cpuUsJson: jsonSat.cpuUs } : {}),
    ...(streamSat.cpuUs !== undefined ? { cpuUsStream: streamSat.cpuUs } : {}),
    ...(jsonSat.coreShare !== undefined ? { coreShareJson: jsonSat.coreShare } : {}),
    ...(streamSat.coreShare !== undefined ? { coreShareStream: streamSat.coreShare } : {}),
    errors,
    latency: latencyOf(runs.json, runs.stream),
    ...(options.direct ? { direct: latencyOf(runs.directJson, runs.directStream) } : {}),
  };
}

/** The gateway's dropped-trace count over all reasons, from its /metrics (before it stops). */
async function tracesDropped(baseUrl: string): Promise<string> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    return String(readMetricSamples(text, 'navplane_traces_dropped').reduce((sum, sample) => sum + sample.value, 0));
  } catch {
    return 'unknown';
  }
}

/**
 * The GC pause time per 1,000 requests answered, by GC kind (minor: scavenges; major: mark-compact; incremental and
 * weak-callback phases as V8 reports them), from a gateway's /metrics text: `navplane_nodejs_gc_duration_seconds_sum`
 * by `kind` over `navplane_gateway_requests_total`, e.g. `minor 14.9 ms, major 1.0 ms`; 'unknown' when either is absent.
 */
export function gcPausesPer1000(metricsText: string): string {
  const requests = readMetricSamples(metricsText, 'navplane_gateway_requests_total').reduce((sum, sample) => sum + sample.value, 0);
  const byKind = new Map<string, number>();
  for (const sample of readMetricSamples(metricsText, 'navplane_nodejs_gc_duration_seconds_sum')) {
    const kind = sample.labels['kind'] ?? 'other';
    byKind.set(kind, (byKind.get(kind) ?? 0) + sample.value);
  }
  if (requests === 0 || byKind.size === 0) return 'unknown';
  return [...byKind].map(([kind, seconds]) => `${kind} ${((seconds * 1e6) / requests).toFixed(1)} ms`).join(', ');
}

/** gcPausesPer1000 of the gateway at `baseUrl`, read before it stops ('unknown' when /metrics does not answer). */
async function gcPauses(baseUrl: string): Promise<string> {
  try {
    return gcPausesPer1000(await (await fetch(`${baseUrl}/metrics`)).text());
  } catch {
    return 'unknown';
  }
}

/** The proxy order of run `run` (1-based): forward in odd runs, reversed in even ones (A B C, C B A, …). */
export function proxyOrder(run: number, only: ReadonlySet<ProxyTarget>): ProxyTarget[] {
  const forward = (['bare', 'express', 'gateway', 'routed'] as const).filter((target) => only.has(target));
  return run % 2 === 1 ? forward : forward.reverse();
}

export const pidOf = (started: Started): number => {
  if (started.child.pid === undefined) throw new Error('child process without a pid');
  return started.child.pid;
};

/**
 * One run: the direct path, then the proxies in proxyOrder(run). Each proxy is started for its turn and stopped
 * after it (the gateway on `seeded`'s database, which keeps the traces of every run).
 */
export async function runComparison(
  run: number,
  upstreamUrl: string,
  seeded: SeededGateway,
  settings: BenchSettings,
): Promise<ComparisonRun> {
  const order = proxyOrder(run, settings.only);
  process.stderr.write(`- run ${run}/${settings.runs}: direct, then ${order.join(', ')}\n`);
  const targets: TargetResult[] = [await measure('direct', upstreamUrl, {}, settings, {})];
  let gateway: GatewayTraces | undefined;
  for (const id of order) {
    if (id === 'gateway') {
      const before = await countTraceRows(seeded.dbUrl);
      const started = await startFeaturedGateway(seeded, { upstreamUrl, core: settings.proxyCore, nodeArgs: settings.gatewayNodeArgs });
      let dropped = 'unknown';
      let gc = 'unknown';
      try {
        targets.push(await measure(id, started.url, authHeaders(seeded), settings, { direct: upstreamUrl, pid: pidOf(started) }));
        dropped = await tracesDropped(started.url);
        gc = await gcPauses(started.url);
      } finally {
        await stop(started);
      }
      const after = await countTraceRows(seeded.dbUrl);
      gateway = {
        written: after.traces - before.traces,
        withRequestBody: after.withRequestBody - before.withRequestBody,
        dropped,
        gcPauses: gc,
      };
      continue;
    }
    if (id === 'routed') {
      // The same featured gateway, started for its own turn; only the requests' model differs (the route's name).
      const started = await startFeaturedGateway(seeded, { upstreamUrl, core: settings.proxyCore, nodeArgs: settings.gatewayNodeArgs });
      try {
        targets.push(
          await measure(id, started.url, authHeaders(seeded), settings, { direct: upstreamUrl, pid: pidOf(started), model: ROUTE_MODEL }),
        );
      } finally {
        await stop(started);
      }
      continue;
    }
    const script = id === 'bare' ? 'bare-proxy.process.js' : 'express-hpm.process.js';
    const started = await startProcess([join(__dirname, script)], { BENCH_UPSTREAM: upstreamUrl }, settings.proxyCore, readyLine);
    try {
      targets.push(await measure(id, started.url, {}, settings, { direct: upstreamUrl, pid: pidOf(started) }));
    } finally {
      await stop(started);
    }
  }
  return { run, order, targets, ...(gateway ? { gateway } : {}) };
}

/** A proxy's figures in the check's terms: latencies as added ms over its alternating direct measurement. */
function targetFigures(result: TargetResult): TargetFigures {
  const direct = result.direct as LatencyFigures;
  return {
    jsonRps: result.jsonRps,
    streamRps: result.streamRps,
    cpuUsJson: result.cpuUsJson ?? Number.NaN,
    cpuUsStream: result.cpuUsStream ?? Number.NaN,
    addedP50: result.latency.json.p50 - direct.json.p50,
    addedP99: result.latency.json.p99 - direct.json.p99,
    addedTtfcP50: result.latency.stream.ttfc50 - direct.stream.ttfc50,
    addedTtfcP99: result.latency.stream.ttfc99 - direct.stream.ttfc99,
    errors: result.errors,
  };
}

/** The figures of one run that the check evaluates. */
export function runFigures(run: ComparisonRun): RunFigures {
  const figures: RunFigures = {};
  for (const result of run.targets) if (result.id !== 'direct') figures[result.id] = targetFigures(result);
  if (run.gateway) figures.gatewayCapturedTraces = run.gateway.withRequestBody;
  return figures;
}
