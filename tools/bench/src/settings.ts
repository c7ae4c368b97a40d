// The settings of `npm run bench` / `npm run bench:check` (tools/bench/README.md lists them), read once from the
// environment.
import { GATEWAY_START_NODE_ARGS } from './bench-processes';
import { BENCH_PARTS, parseSkip, type BenchPart } from './check-targets';

/** A positive number from the environment, or `fallback`; anything else is an error (not a silent default). */
function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * The proxy targets of the comparison (direct is always measured: it is the reference). `routed`: the same featured
 * gateway, requests by a route's model name (a `fallback` route whose first target answers, docs/routing.md).
 */
export const PROXY_TARGETS = ['bare', 'express', 'gateway', 'routed'] as const;
export type ProxyTarget = (typeof PROXY_TARGETS)[number];

export interface BenchSettings {
  /** Seconds per saturation measurement and of open loop per request kind and target (BENCH_SECONDS). */
  seconds: number;
  /** Open-loop rate of the added-latency figures, req/s (BENCH_RATE). */
  rate: number;
  /** Rounds of direct-then-target per open-loop measurement (BENCH_ROUNDS). */
  rounds: number;
  /** Repeats of the whole comparison; the summary and the check take the median (BENCH_RUNS). */
  runs: number;
  /** taskset core list of the proxy under test (BENCH_PROXY_CORE) and of the fake upstream (BENCH_OTHER_CORE). */
  proxyCore: string;
  otherCore: string;
  /** taskset core list of the bench process itself, the load generator (BENCH_LOADGEN_CORE; unset: not pinned). */
  loadgenCore?: string;
  /** Proxy targets of the comparison (BENCH_ONLY; direct and gateway always run). */
  only: Set<ProxyTarget>;
  /** Node flags of the gateway (BENCH_GATEWAY_NODE_ARGS). */
  gatewayNodeArgs: string[];
  /** Tracing on/off: rate, measured seconds per gateway, slice length, unmeasured start of each slice. */
  tracingRate: number;
  tracingSeconds: number;
  /** OpenTelemetry on vs off: measured seconds per gateway per run, and the runs (their median is checked). */
  otelSeconds: number;
  otelRuns: number;
  /**
   * Limits on (Redis) vs off: measured seconds per gateway per run, the runs (their median is checked) and the Redis
   * of the limited gateway (BENCH_LIMITS_SECONDS, BENCH_LIMITS_RUNS, BENCH_REDIS_URL; the part is skipped when it
   * does not answer).
   */
  limitsSeconds: number;
  limitsRuns: number;
  redisUrl: string;
  /** `npm run bench:features`: rounds of every variant, in mirrored order (BENCH_FEATURE_ROUNDS). */
  featureRounds: number;
  sliceSeconds: number;
  settleMs: number;
  /** Soak: length, rate (one request in three streamed), RSS sampling interval. */
  soakSeconds: number;
  soakRate: number;
  soakSampleSeconds: number;
  /** Parts skipped (BENCH_CHECK_SKIP, both commands). */
  skip: BenchPart[];
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const only = (env['BENCH_ONLY'] ?? 'direct,bare,express,gateway,routed')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = only.filter((name) => name !== 'direct' && !(PROXY_TARGETS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown target ${unknown.join(', ')} (targets: direct, ${PROXY_TARGETS.join(', ')})`);
  if (!only.includes('gateway')) throw new Error('the gateway is always part of the run (BENCH_ONLY must include gateway)');
  const seconds = positive(env, 'BENCH_SECONDS', 8);
  const rate = positive(env, 'BENCH_RATE', 200);
  const soakSeconds = positive(env, 'BENCH_SOAK_SECONDS', 600);
  const soakSampleSeconds = positive(env, 'BENCH_SOAK_SAMPLE_SECONDS', 10);
  if (soakSeconds < 2 * soakSampleSeconds) throw new Error('BENCH_SOAK_SECONDS must be at least twice BENCH_SOAK_SAMPLE_SECONDS');
  return {
    seconds,
    rate,
    rounds: Math.max(1, Math.round(positive(env, 'BENCH_ROUNDS', 2))),
    runs: Math.max(1, Math.round(positive(env, 'BENCH_RUNS', 3))),
    proxyCore: env['BENCH_PROXY_CORE'] ?? '1',
    otherCore: env['BENCH_OTHER_CORE'] ?? '0',
    ...(env['BENCH_LOADGEN_CORE'] ? { loadgenCore: env['BENCH_LOADGEN_CORE'] } : {}),
    only: new Set(PROXY_TARGETS.filter((target) => only.includes(target))),
    gatewayNodeArgs: (env['BENCH_GATEWAY_NODE_ARGS'] ?? GATEWAY_START_NODE_ARGS.join(' ')).split(' ').filter(Boolean),
    tracingRate: positive(env, 'BENCH_TRACING_RATE', rate),
    tracingSeconds: positive(env, 'BENCH_TRACING_SECONDS', 30),
    otelSeconds: positive(env, 'BENCH_OTEL_SECONDS', 20),
    otelRuns: Math.max(1, Math.round(positive(env, 'BENCH_OTEL_RUNS', 3))),
    limitsSeconds: positive(env, 'BENCH_LIMITS_SECONDS', 10),
    limitsRuns: Math.max(1, Math.round(positive(env, 'BENCH_LIMITS_RUNS', 3))),
    redisUrl: env['BENCH_REDIS_URL'] || 'redis://127.0.0.1:6379',
    featureRounds: Math.max(1, Math.round(positive(env, 'BENCH_FEATURE_ROUNDS', 2))),
    sliceSeconds: positive(env, 'BENCH_SLICE_SECONDS', 2),
    settleMs: positive(env, 'BENCH_SETTLE_MS', 250, true),
    soakSeconds,
    soakRate: positive(env, 'BENCH_SOAK_RATE', 300),
    soakSampleSeconds,
    skip: parseSkip(env['BENCH_CHECK_SKIP']),
  };
}

/** The parts that run, in order. */
export const partsToRun = (settings: BenchSettings): BenchPart[] => BENCH_PARTS.filter((part) => !settings.skip.includes(part));
