// The targets of `npm run bench:check` and their evaluation: pure functions over the figures a bench run produced
// (no timing, no I/O), so the rules are unit-tested apart from the measurements.
//
// Every target compares figures of the same run (the gateway against a reference measured minutes apart on the
// same machine, never against a figure from another day). With several runs (BENCH_RUNS), each run gives one value
// of the comparison (a ratio or a difference) and the target applies to the median of those values.

import { itemAt } from '@navplane/core';

/** The outcome of one line. INFO lines are printed for reference and never change the exit code. */
export type CheckStatus = 'PASS' | 'FAIL' | 'SKIPPED' | 'INFO';

/** One printed line of the check. */
export interface CheckLine {
  status: CheckStatus;
  /** What is compared. */
  name: string;
  /** The value compared with the target (the median over runs), formatted; empty when skipped. */
  value: string;
  /** The target, formatted (e.g. "≥ 100 %"). */
  target: string;
  /** Per-run values, the calibration beside a comparison, or why the line was skipped. */
  detail: string;
}

/** The parts of a bench run. */
export const BENCH_PARTS = ['compare', 'tracing', 'otel', 'limits', 'soak'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** One proxy target's figures in one run. Latency figures are added ms over the direct path measured in alternation. */
export interface TargetFigures {
  jsonRps: number;
  streamRps: number;
  /** Proxy CPU (user + system) per completed request at saturation, in µs. */
  cpuUsJson: number;
  cpuUsStream: number;
  addedP50: number;
  addedP99: number;
  addedTtfcP50: number;
  addedTtfcP99: number;
  /** Failed or non-200 requests in this target's measurements (saturation and open loop). */
  errors: number;
}

/** The proxy targets of one run of the comparison (a target left out by BENCH_ONLY is absent). */
export interface RunFigures {
  bare?: TargetFigures;
  express?: TargetFigures;
  gateway?: TargetFigures;
  /** The same gateway, requests by a route's model name (a fallback route whose first target answers). */
  routed?: TargetFigures;
  /** Traces the gateway stored with a request body during this run (body capture in effect). */
  gatewayCapturedTraces?: number;
}

/** Percentiles of the tracing comparison. */
export const TRACING_PERCENTILES = ['p50', 'p90', 'p99'] as const;
export type TracingPercentile = (typeof TRACING_PERCENTILES)[number];

/** Latencies (ms) of the three gateways of the tracing comparison, measured in one alternating schedule. */
export interface TracingFigures {
  /** NAVPLANE_TRACE_SINK=db. */
  on: Record<TracingPercentile, number>;
  /** NAVPLANE_TRACE_SINK=none. */
  off: Record<TracingPercentile, number>;
  /** A second gateway with tracing off: off2 vs off is the A/A calibration (a difference that is only noise). */
  off2: Record<TracingPercentile, number>;
  errors: number;
}

/** Limits on (Redis) vs off: the latencies of the three gateways, and what shows the limits ran on `on`. */
export interface LimitsFigures extends TracingFigures {
  /** Requests the limited gateway did not answer 200 (measured and warm-up): a refusal by a limit counts here. */
  onNon200: number;
  /**
   * In every run the limited gateway answered with the key's `x-ratelimit-limit-requests`, counted in Redis, settled
   * budget spend, and no Redis call failed (no request fell back to counting in memory).
   */
  inForce: boolean;
}

/** RSS of the gateway during the soak, in KiB. */
export interface SoakFigures {
  /** When the reference sample was taken, in s after the load started (120 unless the soak is shorter). */
  referenceSeconds: number;
  referenceRssKib: number;
  endRssKib: number;
  seconds: number;
  errors: number;
}

/** Everything the check evaluates; a part that did not run is in `skipped` with the reason. */
export interface CheckInput {
  runs: RunFigures[];
  tracing?: TracingFigures;
  /** OpenTelemetry on (exporting to a local OTLP sink) vs off, the median of the runs (otel-compare.ts). */
  otel?: TracingFigures;
  /** Limits on (Redis: rpm, tpm, concurrency, a budget) vs off, the median of the runs (limits-compare.ts). */
  limits?: LimitsFigures;
  soak?: SoakFigures;
  skipped: Partial<Record<BenchPart, string>>;
}

/** The targets (ratios and differences within the same run). */
export const TARGETS = {
  /** Saturation req/s, gateway / Express + http-proxy-middleware: at least. */
  rpsVsExpress: 1.0,
  /** Saturation req/s, routed gateway / plain gateway (what routing itself costs): at least. */
  routedVsGateway: 0.9,
  /** Saturation req/s, gateway / bare floor: the goal (informational). */
  rpsVsBareGoal: 0.5,
  /** Proxy CPU µs per request, gateway / bare floor: at most. */
  cpuVsBare: 2.2,
  /** Added p50 and added TTFC p50 at the fixed rate: gateway − bare floor, at most (ms). */
  addedP50OverBareMs: 0.25,
  /** Added p99 at the fixed rate: gateway − bare floor, at most (ms). */
  addedP99OverBareMs: 1.5,
  /** Tracing on vs off: the smallest band, whatever the A/A calibration shows (relative, 0.05 = 5 %). */
  tracingFloor: 0.05,
  /** OpenTelemetry on vs off: the smallest band, whatever the A/A calibration shows (relative, 0.05 = 5 %). */
  otelFloor: 0.05,
  /** Limits on (Redis) vs off: the smallest band, whatever the A/A calibration shows (relative, 0.05 = 5 %). */
  limitsFloor: 0.05,
  /** RSS at the end of the soak vs at the reference sample: |end / reference − 1| at most. */
  rssDrift: 0.1,
} as const;

/** The median of `values` (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? itemAt(sorted, middle) : (itemAt(sorted, middle - 1) + itemAt(sorted, middle)) / 2;
}

/** (b − a) / a: the relative change from a to b (0.05 = +5 %). */
export const relativeDelta = (from: number, to: number): number => (to - from) / from;

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number, digits: number) => (Number.isFinite(n) && n >= 0 ? `+${fixed(n, digits)}` : fixed(n, digits));
const percent = (ratio: number) => `${fixed(ratio * 100, 1)} %`;
const signedPercent = (ratio: number) => `${signed(ratio * 100, 1)} %`;
const times = (ratio: number) => `×${fixed(ratio, 2)}`;
const ms = (n: number) => `${signed(n, 2)} ms`;

type Target = 'bare' | 'express' | 'gateway' | 'routed';

interface Comparison {
  name: string;
  /** The targets whose figures the comparison needs. */
  needs: Target[];
  /** The compared value in one run. */
  value: (run: Required<Pick<RunFigures, Target>>) => number;
  format: (value: number) => string;
  target: string;
  /** Does the median value meet the target? */
  meets: (value: number) => boolean;
  /** Informational: printed as INFO, never a PASS or a FAIL. */
  info?: boolean;
}

/**
 * The targets of a featured gateway path (`gateway`: plain requests; `routed`: by a route's model name) against the
 * references of the same run: both paths are held to the same ratios.
 */
const gatewayComparisons = (subject: 'gateway' | 'routed'): Comparison[] => {
  const label = subject === 'gateway' ? 'gateway' : 'routed gateway';
  return [
    {
      name: `saturation JSON req/s, ${label} / Express + hpm`,
      needs: [subject, 'express'],
      value: (r) => r[subject].jsonRps / r.express.jsonRps,
      format: percent,
      target: `≥ ${percent(TARGETS.rpsVsExpress)}`,
      meets: (v) => v >= TARGETS.rpsVsExpress,
    },
    {
      name: `saturation stream req/s, ${label} / Express + hpm`,
      needs: [subject, 'express'],
      value: (r) => r[subject].streamRps / r.express.streamRps,
      format: percent,
      target: `≥ ${percent(TARGETS.rpsVsExpress)}`,
      meets: (v) => v >= TARGETS.rpsVsExpress,
    },
    {
      name: `saturation JSON req/s, ${label} / bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].jsonRps / r.bare.jsonRps,
      format: percent,
      target: `goal ≥ ${percent(TARGETS.rpsVsBareGoal)}`,
      meets: (v) => v >= TARGETS.rpsVsBareGoal,
      info: true,
    },
    {
      name: `saturation stream req/s, ${label} / bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].streamRps / r.bare.streamRps,
      format: percent,
      target: `goal ≥ ${percent(TARGETS.rpsVsBareGoal)}`,
      meets: (v) => v >= TARGETS.rpsVsBareGoal,
      info: true,
    },
    {
      name: `proxy CPU µs/request JSON, ${label} / bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].cpuUsJson / r.bare.cpuUsJson,
      format: times,
      target: `≤ ${times(TARGETS.cpuVsBare)}`,
      meets: (v) => v <= TARGETS.cpuVsBare,
    },
    {
      name: `proxy CPU µs/request stream, ${label} / bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].cpuUsStream / r.bare.cpuUsStream,
      format: times,
      target: `≤ ${times(TARGETS.cpuVsBare)}`,
      meets: (v) => v <= TARGETS.cpuVsBare,
    },
    {
      name: `added p50 JSON, ${label} − bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].addedP50 - r.bare.addedP50,
      format: ms,
      target: `≤ ${ms(TARGETS.addedP50OverBareMs)}`,
      meets: (v) => v <= TARGETS.addedP50OverBareMs,
    },
    {
      name: `added TTFC p50, ${label} − bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].addedTtfcP50 - r.bare.addedTtfcP50,
      format: ms,
      target: `≤ ${ms(TARGETS.addedP50OverBareMs)}`,
      meets: (v) => v <= TARGETS.addedP50OverBareMs,
    },
    {
      name: `added p99 JSON, ${label} − bare floor`,
      needs: [subject, 'bare'],
      value: (r) => r[subject].addedP99 - r.bare.addedP99,
      format: ms,
      target: `≤ ${ms(TARGETS.addedP99OverBareMs)}`,
      meets: (v) => v <= TARGETS.addedP99OverBareMs,
    },
  ];
};

const COMPARISONS: Comparison[] = [
  ...gatewayComparisons('gateway'),
  {
    name: 'saturation JSON req/s, routed gateway / gateway',
    needs: ['routed', 'gateway'],
    value: (r) => r.routed.jsonRps / r.gateway.jsonRps,
    format: percent,
    target: `≥ ${percent(TARGETS.routedVsGateway)}`,
    meets: (v) => v >= TARGETS.routedVsGateway,
  },
  {
    name: 'saturation stream req/s, routed gateway / gateway',
    needs: ['routed', 'gateway'],
    value: (r) => r.routed.streamRps / r.gateway.streamRps,
    format: percent,
    target: `≥ ${percent(TARGETS.routedVsGateway)}`,
    meets: (v) => v >= TARGETS.routedVsGateway,
  },
  ...gatewayComparisons('routed'),
];

const skippedLine = (name: string, target: string, why: string): CheckLine => ({ status: 'SKIPPED', name, value: '', target, detail: why });

/** A met target is PASS, a missed one (or a figure that could not be computed) FAIL; informational lines are INFO. */
const verdict = (meets: boolean, info = false): CheckStatus => (info ? 'INFO' : meets ? 'PASS' : 'FAIL');

function compareLines(input: CheckInput): CheckLine[] {
  const skippedWhy = input.skipped.compare ?? (input.runs.length === 0 ? 'no run of the comparison' : undefined);
  const lines: CheckLine[] = [];
  for (const comparison of COMPARISONS) {
    if (skippedWhy !== undefined) {
      lines.push(skippedLine(comparison.name, comparison.target, skippedWhy));
      continue;
    }
    const missing = comparison.needs.filter((target) => input.runs.some((run) => run[target] === undefined));
    if (missing.length > 0) {
      lines.push(skippedLine(comparison.name, comparison.target, `${missing.join(', ')} not measured (BENCH_ONLY)`));
      continue;
    }
    const values = input.runs.map((run) => comparison.value(run as Required<Pick<RunFigures, Target>>));
    const value = median(values);
    // NaN (a figure without samples) never meets a target.
    const meets = Number.isFinite(value) && comparison.meets(value);
    lines.push({
      status: verdict(meets, comparison.info),
      name: comparison.name,
      value: comparison.format(value),
      target: comparison.target,
      detail: `${comparison.info ? (meets ? 'goal met; ' : 'goal not met; ') : ''}${values.length > 1 ? `median of runs ${values.map(comparison.format).join(', ')}` : 'one run'}`,
    });
  }
  const captureName = 'gateway stored request bodies (capture + redact_storage in effect)';
  if (skippedWhy !== undefined || input.runs.some((run) => run.gateway === undefined)) {
    lines.push(skippedLine(captureName, '> 0 traces', skippedWhy ?? 'gateway not measured'));
  } else {
    const captured = input.runs.map((run) => run.gatewayCapturedTraces ?? 0);
    lines.push({
      status: captured.every((n) => n > 0) ? 'PASS' : 'FAIL',
      name: captureName,
      value: `${captured.reduce((a, b) => a + b, 0)} traces`,
      target: '> 0 traces each run',
      detail: captured.length > 1 ? `runs ${captured.join(', ')}` : 'one run',
    });
  }
  return lines;
}

function tracingLines(input: CheckInput): CheckLine[] {
  return onOffLines('tracing', input.skipped.tracing, input.tracing, TARGETS.tracingFloor);
}

function otelLines(input: CheckInput): CheckLine[] {
  return onOffLines('OpenTelemetry', input.skipped.otel, input.otel, TARGETS.otelFloor);
}

/** Limits on vs off within the A/A band, every request of the limited gateway answered 200, the limits in force. */
function limitsLines(input: CheckInput): CheckLine[] {
  const figures = input.limits;
  const why = input.skipped.limits ?? (figures === undefined ? 'not measured' : undefined);
  const refusedName = 'limits on: every request answered 200 (none refused)';
  const inForceName = 'limits on: in force in Redis for every request';
  if (why !== undefined || figures === undefined) {
    return [
      ...onOffLines('limits', why, undefined, TARGETS.limitsFloor),
      skippedLine(refusedName, '0', why ?? 'not measured'),
      skippedLine(inForceName, 'yes', why ?? 'not measured'),
    ];
  }
  return [
    ...onOffLines('limits', undefined, figures, TARGETS.limitsFloor),
    {
      status: verdict(figures.onNon200 === 0),
      name: refusedName,
      value: String(figures.onNon200),
      target: '0',
      detail: 'requests of the limited gateway that did not answer 200, warm-up included, all runs',
    },
    {
      status: verdict(figures.inForce),
      name: inForceName,
      value: figures.inForce ? 'yes' : 'no',
      target: 'yes',
      detail: `x-ratelimit headers, Redis counters, budget spend settled, 0 failed Redis calls: ${figures.inForce ? 'every run' : 'not in every run'}`,
    },
  ];
}

/** The lines of an on/off comparison measured beside its A/A calibration (tracing, OpenTelemetry, limits). */
function onOffLines(what: string, skipped: string | undefined, figures: TracingFigures | undefined, floor: number): CheckLine[] {
  // One-sided: it may not make requests slower by more than the method's own noise; a traced gateway that
  // measured faster than the untraced one is that noise too, not a cost.
  const target = `on−off ≤ max(|A/A|, ${percent(floor)})`;
  return TRACING_PERCENTILES.map((p) => {
    const name = `${what} on vs off ${p}, within the A/A band`;
    const why = skipped ?? (figures === undefined ? 'not measured' : undefined);
    if (why !== undefined || figures === undefined) return skippedLine(name, target, why ?? 'not measured');
    const onVsOff = relativeDelta(figures.off[p], figures.on[p]);
    const aa = relativeDelta(figures.off[p], figures.off2[p]);
    const band = Math.max(Number.isFinite(aa) ? Math.abs(aa) : 0, floor);
    const meets = Number.isFinite(onVsOff) && onVsOff <= band;
    return {
      status: verdict(meets),
      name,
      value: signedPercent(onVsOff),
      target,
      detail: `A/A calibration ${signedPercent(aa)} → band ±${fixed(band * 100, 1)} %; on ${fixed(figures.on[p], 3)} ms, off ${fixed(figures.off[p], 3)} ms, off (A/A) ${fixed(figures.off2[p], 3)} ms`,
    };
  });
}

function soakLine(input: CheckInput): CheckLine {
  const target = `within ±${percent(TARGETS.rssDrift)}`;
  const why = input.skipped.soak ?? (input.soak === undefined ? 'not measured' : undefined);
  if (why !== undefined || input.soak === undefined)
    return skippedLine('RSS at the end of the soak vs minute 2', target, why ?? 'not measured');
  const { referenceSeconds, referenceRssKib, endRssKib, seconds } = input.soak;
  const reference = referenceSeconds === 120 ? 'minute 2' : `${referenceSeconds} s (soak shorter than 240 s)`;
  const drift = relativeDelta(referenceRssKib, endRssKib);
  const meets = Number.isFinite(drift) && referenceRssKib > 0 && Math.abs(drift) <= TARGETS.rssDrift;
  return {
    status: verdict(meets),
    name: `RSS at the end of the soak vs ${reference}`,
    value: signedPercent(drift),
    target,
    detail: `${fixed(referenceRssKib / 1024, 1)} MiB at ${referenceSeconds} s → ${fixed(endRssKib / 1024, 1)} MiB at ${fixed(seconds, 0)} s (ratio ${fixed(endRssKib / referenceRssKib, 3)})`,
  };
}

function errorsLine(input: CheckInput): CheckLine {
  const counted: string[] = [];
  let errors = 0;
  if (input.skipped.compare === undefined && input.runs.length > 0) {
    for (const target of ['bare', 'express', 'gateway', 'routed'] as const) {
      const n = input.runs.reduce((sum, run) => sum + (run[target]?.errors ?? 0), 0);
      counted.push(`${target} ${n}`);
      errors += n;
    }
  }
  if (input.skipped.tracing === undefined && input.tracing) {
    counted.push(`tracing ${input.tracing.errors}`);
    errors += input.tracing.errors;
  }
  if (input.skipped.otel === undefined && input.otel) {
    counted.push(`otel ${input.otel.errors}`);
    errors += input.otel.errors;
  }
  if (input.skipped.limits === undefined && input.limits) {
    counted.push(`limits ${input.limits.errors}`);
    errors += input.limits.errors;
  }
  if (input.skipped.soak === undefined && input.soak) {
    counted.push(`soak ${input.soak.errors}`);
    errors += input.soak.errors;
  }
  const name = 'failed or non-200 requests';
  if (counted.length === 0) return skippedLine(name, '0', 'nothing measured');
  return { status: verdict(errors === 0), name, value: String(errors), target: '0', detail: counted.join(', ') };
}

/** Every line of the check, in print order. */
export function evaluateTargets(input: CheckInput): CheckLine[] {
  return [...compareLines(input), ...tracingLines(input), ...otelLines(input), ...limitsLines(input), soakLine(input), errorsLine(input)];
}

/** 1 when a target is missed, else 0 (SKIPPED and INFO lines never fail the check, and never count as PASS). */
export function checkExitCode(lines: readonly CheckLine[]): 0 | 1 {
  return lines.some((line) => line.status === 'FAIL') ? 1 : 0;
}

/** The lines as a fixed-width block, with a summary line at the end. */
export function formatCheck(lines: readonly CheckLine[]): string {
  const width = (pick: (line: CheckLine) => string) => Math.max(...lines.map((line) => pick(line).length));
  const nameWidth = width((line) => line.name);
  const valueWidth = width((line) => line.value);
  const targetWidth = width((line) => line.target);
  const body = lines.map((line) =>
    [
      line.status.padEnd(7),
      line.name.padEnd(nameWidth),
      line.value.padStart(valueWidth),
      `target ${line.target.padEnd(targetWidth)}`,
      line.detail,
    ]
      .join('  ')
      .trimEnd(),
  );
  const count = (status: CheckStatus) => lines.filter((line) => line.status === status).length;
  const summary = `${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('SKIPPED')} SKIPPED, ${count('INFO')} INFO → ${checkExitCode(lines) === 0 ? 'targets met (exit 0)' : 'target missed (exit 1)'}`;
  return `${body.join('\n')}\n${summary}\n`;
}

/** The soak's reference sample: minute 2, or the middle of a soak shorter than 4 minutes (on a sample boundary). */
export function soakReferenceSeconds(soakSeconds: number, sampleSeconds: number): number {
  const middle = Math.floor(soakSeconds / 2 / sampleSeconds) * sampleSeconds;
  return Math.min(120, Math.max(sampleSeconds, middle));
}

/** The sample taken nearest to `seconds` (samples: seconds after the load started, RSS in KiB). */
export function sampleNearest<T extends { seconds: number }>(samples: readonly T[], seconds: number): T | undefined {
  let best: T | undefined;
  for (const sample of samples)
    if (best === undefined || Math.abs(sample.seconds - seconds) < Math.abs(best.seconds - seconds)) best = sample;
  return best;
}

const isBenchPart = (name: string): name is BenchPart => (BENCH_PARTS as readonly string[]).includes(name);

/**
 * The parts to skip from BENCH_CHECK_SKIP (a comma list of BENCH_PARTS; empty entries ignored). An unknown name
 * throws, so a typo does not silently run (or silently skip) a part.
 */
export function parseSkip(value: string | undefined): BenchPart[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isBenchPart(name));
  if (unknown.length > 0) throw new Error(`BENCH_CHECK_SKIP: unknown part ${unknown.join(', ')} (parts: ${BENCH_PARTS.join(', ')})`);
  return [...new Set(names.filter(isBenchPart))];
}
