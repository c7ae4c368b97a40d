// `npm run bench` and `npm run bench:check` (`--check`). On loopback against the fake upstream, with the proxy
// under test pinned to one core (taskset, BENCH_PROXY_CORE) and the fake upstream to the other:
//
// - compare (BENCH_RUNS runs, proxies in alternating order): the direct path, a bare node:http pass-through (the
//   floor), featureless Express + http-proxy-middleware and the NavPlane gateway with auth, vault, tracing and a
//   `redact_storage` policy with body capture on, plain and routed (by a fallback route's model name: `routed`).
//   Saturation req/s and proxy CPU µs per request (JSON, stream), and
//   added p50 / p99 / TTFC at BENCH_RATE against the direct path measured in alternation;
// - tracing: the gateway with tracing on vs off side by side in slices, beside an A/A calibration;
// - otel: the gateway with OpenTelemetry on (exporting to a local OTLP sink) vs off, likewise, BENCH_OTEL_RUNS runs;
// - limits: the gateway with limits on (rpm, tpm, concurrency and a budget, counted in Redis) vs off, likewise,
//   BENCH_LIMITS_RUNS runs; skipped when Redis (BENCH_REDIS_URL) does not answer;
// - soak: the gateway's RSS under BENCH_SOAK_RATE req/s for BENCH_SOAK_SECONDS.
//
// With --check, each target of check-targets.ts is printed PASS / FAIL / SKIPPED / INFO and the exit code is 1
// when one is missed.
import { execFileSync } from 'node:child_process';
import { maskDatabaseUrl } from '@navplane/config';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readyLine, startProcess, stop } from './bench-processes';
import { checkExitCode, evaluateTargets, formatCheck, median, relativeDelta, type BenchPart, type CheckInput } from './check-targets';
import { runComparison, runFigures, TARGET_NAMES, type ComparisonRun, type TargetId, type TargetResult } from './compare';
import { seedFeaturedGateway } from './gateway-under-test';
import { clockTicksPerSecond } from './proc-stats';
import { partsToRun, readSettings, type BenchSettings } from './settings';
import { soakFigures, measureSoak, type SoakResult } from './soak';
import { measureTracing, tracingFigures, type TracingResult } from './tracing-compare';
import { measureOtel, otelFigures, type OtelResult } from './otel-compare';
import { limitsFigures, limitsInForce, measureLimits, redisUnreachable, type LimitsResult } from './limits-compare';
import { TRACING_PERCENTILES, type TracingFigures } from './check-targets';

const CHECK = process.argv.includes('--check');

/** One printed row: absolute figures for direct, added ms (over the alternating direct path) for the proxies. */
interface Row {
  id: TargetId;
  jsonRps: number;
  streamRps: number;
  cpuUsJson: number;
  cpuUsStream: number;
  coreShareJson: number;
  coreShareStream: number;
  p50: number;
  p99: number;
  ttfc50: number;
  ttfc99: number;
  errors: number;
}

const NUMERIC_KEYS = [
  'jsonRps',
  'streamRps',
  'cpuUsJson',
  'cpuUsStream',
  'coreShareJson',
  'coreShareStream',
  'p50',
  'p99',
  'ttfc50',
  'ttfc99',
  'errors',
] as const;

function rowOf(result: TargetResult): Row {
  const base = result.direct;
  const added = (value: number, reference: number | undefined) => (reference === undefined ? value : value - reference);
  return {
    id: result.id,
    jsonRps: result.jsonRps,
    streamRps: result.streamRps,
    cpuUsJson: result.cpuUsJson ?? Number.NaN,
    cpuUsStream: result.cpuUsStream ?? Number.NaN,
    coreShareJson: result.coreShareJson ?? Number.NaN,
    coreShareStream: result.coreShareStream ?? Number.NaN,
    p50: added(result.latency.json.p50, base?.json.p50),
    p99: added(result.latency.json.p99, base?.json.p99),
    ttfc50: added(result.latency.stream.ttfc50, base?.stream.ttfc50),
    ttfc99: added(result.latency.stream.ttfc99, base?.stream.ttfc99),
    errors: result.errors,
  };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number) => (Number.isFinite(n) && n >= 0 ? `+${fmt(n)}` : fmt(n));
const signedPercent = (ratio: number) => `${Number.isFinite(ratio) && ratio >= 0 ? '+' : ''}${fmt(ratio * 100, 1)} %`;
const mib = (kib: number) => `${fmt(kib / 1024, 1)} MiB`;

function printRows(rows: Row[]): void {
  console.table(
    rows.map((row) => {
      const latency = (n: number) => (row.id === 'direct' ? fmt(n) : signed(n));
      return {
        target: TARGET_NAMES[row.id],
        'JSON req/s': fmt(row.jsonRps, 0),
        'stream req/s': fmt(row.streamRps, 0),
        'CPU µs/req JSON': row.id === 'direct' ? '' : fmt(row.cpuUsJson, 1),
        'CPU µs/req stream': row.id === 'direct' ? '' : fmt(row.cpuUsStream, 1),
        'core % JSON/stream': row.id === 'direct' ? '' : `${fmt(row.coreShareJson * 100, 0)}/${fmt(row.coreShareStream * 100, 0)}`,
        'p50 ms': latency(row.p50),
        'p99 ms': latency(row.p99),
        'TTFC p50 ms': latency(row.ttfc50),
        'TTFC p99 ms': latency(row.ttfc99),
        errors: String(row.errors),
      };
    }),
  );
}

/** Each figure's median over the runs, per target (errors: the sum). */
function medianRows(runs: ComparisonRun[]): Row[] {
  const ids = (runs[0]?.targets ?? []).map((target) => target.id);
  return ids.map((id) => {
    const rows = runs.flatMap((run) => run.targets.filter((target) => target.id === id).map(rowOf));
    const row = { id } as Row;
    for (const key of NUMERIC_KEYS) {
      const values = rows.map((r) => r[key]);
      row[key] = key === 'errors' ? values.reduce((a, b) => a + b, 0) : median(values);
    }
    return row;
  });
}

function printComparison(runs: ComparisonRun[], settings: BenchSettings): void {
  process.stdout.write(
    `\nNavPlane bench: ${settings.seconds}s per measurement, open loop at ${settings.rate} req/s, proxy pinned to core ${settings.proxyCore}, upstream to core ${settings.otherCore}, load generator ${settings.loadgenCore === undefined ? 'not pinned' : `pinned to core ${settings.loadgenCore}`}; CPU from /proc (${clockTicksPerSecond()} ticks/s)\n`,
  );
  process.stdout.write(
    '(direct row: absolute ms; other rows: added ms over the direct path measured in alternation with that target, same percentile;\n',
  );
  process.stdout.write(
    " CPU µs/req: the proxy process's user + system CPU per completed request at saturation; core %: its share of a core during saturation)\n",
  );
  for (const run of runs) {
    process.stdout.write(`\nRun ${run.run}/${runs.length} (proxies in the order ${run.order.join(', ')})\n`);
    printRows(run.targets.map(rowOf));
    if (run.gateway) {
      process.stdout.write(
        `gateway traces written: ${run.gateway.written} (${run.gateway.withRequestBody} with a stored request body), dropped: ${run.gateway.dropped} (navplane_traces_dropped on /metrics)\n`,
      );
      process.stdout.write(
        `gateway GC pauses per 1,000 requests over its turn: ${run.gateway.gcPauses} (navplane_nodejs_gc_duration_seconds)\n`,
      );
    }
  }
  if (runs.length > 1) {
    process.stdout.write(`\nMedian of ${runs.length} runs (each figure's median; errors: total)\n`);
    printRows(medianRows(runs));
  }
  printRoutedVsPlain(runs);
}

/** What routing costs: the routed gateway beside the plain one, per run (the same process setup, other requests). */
function printRoutedVsPlain(runs: ComparisonRun[]): void {
  const pairs = runs.flatMap((run) => {
    const plain = run.targets.find((target) => target.id === 'gateway');
    const routed = run.targets.find((target) => target.id === 'routed');
    return plain === undefined || routed === undefined ? [] : [{ plain: rowOf(plain), routed: rowOf(routed) }];
  });
  if (pairs.length === 0) return;
  const ratio = (pick: (row: Row) => number) => median(pairs.map(({ plain, routed }) => pick(routed) / pick(plain)));
  const delta = (pick: (row: Row) => number) => median(pairs.map(({ plain, routed }) => pick(routed) - pick(plain)));
  process.stdout.write(
    `\nrouted / plain gateway (median of ${pairs.length} run(s), same run each): JSON req/s ${fmt(ratio((r) => r.jsonRps) * 100, 1)} %, stream req/s ${fmt(ratio((r) => r.streamRps) * 100, 1)} %, CPU µs/req JSON ×${fmt(ratio((r) => r.cpuUsJson))}, stream ×${fmt(ratio((r) => r.cpuUsStream))}, added p50 ${signed(delta((r) => r.p50))} ms, p99 ${signed(delta((r) => r.p99))} ms, TTFC p50 ${signed(delta((r) => r.ttfc50))} ms\n`,
  );
}

function printTracing(result: TracingResult, settings: BenchSettings): void {
  process.stdout.write(
    `\nTracing on vs off: ${result.rate} req/s open loop, three gateways side by side in alternating ${settings.sliceSeconds}s slices (${result.slices} each, first ${settings.settleMs} ms of each slice unmeasured), pinned to core ${settings.proxyCore}\n`,
  );
  const off = result.modes.find((mode) => mode.id === 'off');
  console.table(
    result.modes.map((mode) => {
      const delta = (key: 'p50' | 'p90' | 'p99') => (mode.id === 'off' || !off ? '' : signedPercent(relativeDelta(off[key], mode[key])));
      return {
        gateway: mode.id === 'on' ? 'tracing on (db)' : mode.id === 'off' ? 'tracing off (none)' : 'tracing off, A/A calibration',
        requests: mode.ok,
        errors: mode.errors,
        'p50 ms': fmt(mode.p50, 3),
        'p50 vs off': delta('p50'),
        'p90 ms': fmt(mode.p90, 3),
        'p90 vs off': delta('p90'),
        'p99 ms': fmt(mode.p99, 3),
        'p99 vs off': delta('p99'),
      };
    }),
  );
  process.stdout.write(`traced gateway: ${result.tracesWritten} traces written / ${result.answeredByOn} requests answered\n`);
}

/** Each percentile's median over the OpenTelemetry runs (errors: the sum). */
function medianOtel(results: OtelResult[]): TracingFigures {
  const figures = results.map(otelFigures);
  const pick = (mode: 'on' | 'off' | 'off2') =>
    Object.fromEntries(TRACING_PERCENTILES.map((p) => [p, median(figures.map((f) => f[mode][p]))])) as TracingFigures['on'];
  return { on: pick('on'), off: pick('off'), off2: pick('off2'), errors: figures.reduce((sum, f) => sum + f.errors, 0) };
}

function printOtel(results: OtelResult[], settings: BenchSettings): void {
  const first = results[0];
  if (first === undefined) return;
  process.stdout.write(
    `\nOpenTelemetry on vs off: ${first.rate} req/s open loop, three gateways side by side in alternating ${settings.sliceSeconds}s slices (${first.slices} each, first ${settings.settleMs} ms of each slice unmeasured), pinned to core ${settings.proxyCore}; on exports spans and metrics (http/protobuf) to a local OTLP sink\n`,
  );
  const table = onOffTable({ on: 'OpenTelemetry on (OTLP sink)', off: 'OpenTelemetry off', off2: 'OpenTelemetry off, A/A calibration' });
  results.forEach((result, index) => {
    process.stdout.write(
      `Run ${index + 1}/${results.length}: ${result.exports} OTLP exports (${result.exportedBytes} bytes) received by the sink\n`,
    );
    table(otelFigures(result));
  });
  if (results.length > 1) {
    process.stdout.write(`Median of ${results.length} runs (each percentile's median)\n`);
    table(medianOtel(results));
  }
}

/** Prints one on / off / A/A table: each gateway's p50, p90, p99 and its delta against `off`. */
function onOffTable(label: Readonly<Record<'on' | 'off' | 'off2', string>>): (figures: TracingFigures) => void {
  return (figures) =>
    console.table(
      (['on', 'off', 'off2'] as const).map((id) => {
        const delta = (p: 'p50' | 'p90' | 'p99') => (id === 'off' ? '' : signedPercent(relativeDelta(figures.off[p], figures[id][p])));
        return {
          gateway: label[id],
          'p50 ms': fmt(figures[id].p50, 3),
          'p50 vs off': delta('p50'),
          'p90 ms': fmt(figures[id].p90, 3),
          'p90 vs off': delta('p90'),
          'p99 ms': fmt(figures[id].p99, 3),
          'p99 vs off': delta('p99'),
        };
      }),
    );
}

function printLimits(results: LimitsResult[], settings: BenchSettings): void {
  const first = results[0];
  if (first === undefined) return;
  process.stdout.write(
    `\nLimits on vs off: ${first.rate} req/s open loop, three gateways side by side in alternating ${settings.sliceSeconds}s slices (${first.slices} each, first ${settings.settleMs} ms of each slice unmeasured), pinned to core ${settings.proxyCore}; on: key rpm, tpm and concurrency and an org daily budget, counted in Redis (${new URL(settings.redisUrl).host})\n`,
  );
  const table = onOffTable({ on: 'limits on (Redis)', off: 'limits off', off2: 'limits off, A/A calibration' });
  results.forEach((result, index) => {
    const keys = Object.entries(result.redisKeys)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ');
    process.stdout.write(
      `Run ${index + 1}/${results.length}: limits ${limitsInForce(result) ? 'in force' : 'NOT in force'} (x-ratelimit-limit-requests on: ${result.onLimitHeader ?? 'none'}, off: ${result.offLimitHeader ?? 'none'}; Redis keys at the end: ${keys || 'none'}; budget spend settled $${result.settledUsd.toFixed(6)}; failed Redis calls ${result.backendErrors}); on answered non-200: ${result.onNon200} (refused by a limit: ${result.refusedByLimits})\n`,
    );
    table(limitsFigures([result]));
  });
  if (results.length > 1) {
    process.stdout.write(`Median of ${results.length} runs (each percentile's median)\n`);
    table(limitsFigures(results));
  }
}

function printSoak(result: SoakResult): void {
  const figures = soakFigures(result);
  process.stdout.write(
    `\nRSS soak: ${result.seconds}s at ${result.rate} req/s (one in three streamed): ${result.ok} answered (${result.okJson} JSON, ${result.okStream} stream), ${result.errors} errors, ${fmt(result.cpuUsPerRequest, 1)} CPU µs/request, ${result.tracesWritten} traces\n`,
  );
  process.stdout.write(
    `RSS samples (s: MiB): ${result.samples.map((s) => `${fmt(s.seconds, 0)}: ${fmt(s.rssKib / 1024, 1)}`).join(', ')}\n`,
  );
  process.stdout.write(
    `RSS at ${figures.referenceSeconds} s: ${mib(figures.referenceRssKib)}, at the end (${fmt(figures.seconds, 0)} s): ${mib(figures.endRssKib)}, ratio ${fmt(figures.endRssKib / figures.referenceRssKib, 3)}\n`,
  );
}

async function main(): Promise<void> {
  const settings = readSettings();
  const parts = partsToRun(settings);
  // BENCH_LOADGEN_CORE: pin this process (every thread: -a), the load generator, e.g. to the upstream's core.
  if (settings.loadgenCore !== undefined)
    execFileSync('taskset', ['-a', '-p', '-c', settings.loadgenCore, String(process.pid)], { stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'navplane-bench-'));
  const upstream = await startProcess([join(__dirname, 'upstream.process.js')], {}, settings.otherCore, readyLine);
  const runs: ComparisonRun[] = [];
  let tracing: TracingResult | undefined;
  let soak: SoakResult | undefined;
  const otel: OtelResult[] = [];
  const limits: LimitsResult[] = [];
  const skipped: Partial<Record<BenchPart, string>> = {};
  for (const part of settings.skip) skipped[part] = `BENCH_CHECK_SKIP=${settings.skip.join(',')}`;
  try {
    if (parts.includes('compare')) {
      const seeded = await seedFeaturedGateway(`sqlite:${join(dir, 'compare.db')}`);
      for (let run = 1; run <= settings.runs; run += 1) runs.push(await runComparison(run, upstream.url, seeded, settings));
      printComparison(runs, settings);
    }
    if (parts.includes('tracing')) {
      tracing = await measureTracing(upstream.url, dir, settings);
      printTracing(tracing, settings);
    }
    if (parts.includes('otel')) {
      for (let run = 0; run < settings.otelRuns; run += 1) otel.push(await measureOtel(upstream.url, dir, settings));
      printOtel(otel, settings);
    }
    if (parts.includes('limits')) {
      const unreachable = await redisUnreachable(settings.redisUrl);
      if (unreachable === undefined) {
        for (let run = 0; run < settings.limitsRuns; run += 1) limits.push(await measureLimits(upstream.url, dir, settings));
        printLimits(limits, settings);
      } else {
        skipped.limits = unreachable;
        process.stdout.write(`\nLimits on vs off: skipped — ${unreachable}\n`);
      }
    }
    if (parts.includes('soak')) {
      soak = await measureSoak(upstream.url, dir, settings);
      printSoak(soak);
    }
  } finally {
    await stop(upstream);
    await rm(dir, { recursive: true, force: true });
  }
  const input: CheckInput = {
    runs: runs.map(runFigures),
    ...(tracing ? { tracing: tracingFigures(tracing) } : {}),
    ...(otel.length > 0 ? { otel: medianOtel(otel) } : {}),
    ...(limits.length > 0 ? { limits: limitsFigures(limits) } : {}),
    ...(soak ? { soak: soakFigures(soak) } : {}),
    skipped,
  };
  process.stdout.write(
    `${JSON.stringify({ settings: { ...settings, only: [...settings.only], redisUrl: maskDatabaseUrl(settings.redisUrl) }, runs, tracing, otel, limits, soak, check: input })}\n`,
  );
  if (CHECK) {
    const lines = evaluateTargets(input);
    const over = runs.length > 1 ? `; each target applies to the median of the ${runs.length} runs' values` : '';
    process.stdout.write(`\nbench:check — targets are ratios or differences within the same run${over}\n`);
    process.stdout.write(formatCheck(lines));
    process.exitCode = checkExitCode(lines);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
