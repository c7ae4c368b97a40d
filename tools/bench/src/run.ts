// `npm run bench`: requests/s at saturation and added latency at a fixed rate, plain and streamed,
// for the direct path, a bare node:http pass-through, plain Express + http-proxy-middleware, and
// the NavPlane gateway with auth, vault and tracing on. The proxy under test is pinned to one core
// (taskset -c 1); the fake upstream and the load generator share the other.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricSamples } from '@navplane/telemetry';
import { countTraces, GATEWAY_START_NODE_ARGS, readyLine, seedGateway, startGateway, startProcess, stop } from './bench-processes';
import { openLoop, percentile, type BenchRequest, type OpenLoopResult } from './open-loop';
import { saturate } from './saturate';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const RATE = Number(process.env['BENCH_RATE'] ?? 200);
const PROXY_CORE = process.env['BENCH_PROXY_CORE'] ?? '1';
const OTHER_CORE = process.env['BENCH_OTHER_CORE'] ?? '0';
/** Comma-separated targets to run (default all): direct, bare, express, gateway. */
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'direct,bare,express,gateway').split(','));
/** Node flags of the gateway process: `npm start`'s (GATEWAY_START_NODE_ARGS) unless set, e.g. add `--cpu-prof`. */
const GATEWAY_NODE_ARGS = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? GATEWAY_START_NODE_ARGS.join(' ')).split(' ').filter(Boolean);

/** Open-loop rounds per target: its samples and the direct path's are taken in alternation (BENCH_ROUNDS, default 2). */
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 2));

interface LatencyFigures {
  plain: { p50: number; p99: number };
  stream: { ttfc50: number; ttfc99: number; p50: number };
}

interface Measured extends LatencyFigures {
  name: string;
  plainRps: number;
  streamRps: number;
  errors: number;
  /** The direct path measured in alternation with this target (absent for the direct row itself). */
  direct?: LatencyFigures;
}

const requestsFor = (pathPrefix: string, headers: Record<string, string>): [BenchRequest, BenchRequest] => {
  const plainReq: BenchRequest = {
    path: `${pathPrefix}/v1/chat/completions`,
    headers,
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the benchmark' }] }),
  };
  return [plainReq, { ...plainReq, body: JSON.stringify({ ...JSON.parse(plainReq.body), stream: true }) }];
};

const figures = (plain: OpenLoopResult[], stream: OpenLoopResult[]): LatencyFigures => {
  const pooled = (runs: OpenLoopResult[], pick: (run: OpenLoopResult) => number[]) => runs.flatMap(pick);
  return {
    plain: { p50: percentile(pooled(plain, (r) => r.total), 50), p99: percentile(pooled(plain, (r) => r.total), 99) },
    stream: {
      ttfc50: percentile(pooled(stream, (r) => r.firstByte), 50),
      ttfc99: percentile(pooled(stream, (r) => r.firstByte), 99),
      p50: percentile(pooled(stream, (r) => r.total), 50),
    },
  };
};

/**
 * Saturation, then the open-loop latency in ROUNDS rounds. With `direct` (the upstream's URL), each round measures
 * the direct path right before the target, so the added latency compares samples taken under the same conditions
 * (the machine drifts over a run; a single direct measurement at the start made the added figures swing).
 */
async function measure(name: string, baseUrl: string, headers: Record<string, string>, direct?: string): Promise<Measured> {
  const [plainReq, streamReq] = requestsFor('', headers);
  const [directPlain, directStream] = requestsFor('', {});
  process.stderr.write(`- ${name}: warm-up\n`);
  await saturate(baseUrl, plainReq, 2);
  await saturate(baseUrl, streamReq, 2);
  process.stderr.write(`- ${name}: saturation (${SECONDS}s each)\n`);
  const plainSat = await saturate(baseUrl, plainReq, SECONDS);
  const streamSat = await saturate(baseUrl, streamReq, SECONDS);
  process.stderr.write(`- ${name}: open loop at ${RATE} req/s (${SECONDS}s each, ${ROUNDS} rounds${direct ? ', alternating with direct' : ''})\n`);
  const slice = SECONDS / ROUNDS;
  const runs = { plain: [] as OpenLoopResult[], stream: [] as OpenLoopResult[], directPlain: [] as OpenLoopResult[], directStream: [] as OpenLoopResult[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    if (direct) runs.directPlain.push(await openLoop(direct, directPlain, RATE, slice));
    runs.plain.push(await openLoop(baseUrl, plainReq, RATE, slice));
    if (direct) runs.directStream.push(await openLoop(direct, directStream, RATE, slice));
    runs.stream.push(await openLoop(baseUrl, streamReq, RATE, slice));
  }
  const errors = [...runs.plain, ...runs.stream].reduce((sum, run) => sum + run.errors, 0) + plainSat.errors + plainSat.non2xx + streamSat.errors + streamSat.non2xx;
  return {
    name,
    plainRps: plainSat.rps,
    streamRps: streamSat.rps,
    errors,
    ...figures(runs.plain, runs.stream),
    ...(direct ? { direct: figures(runs.directPlain, runs.directStream) } : {}),
  };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number) => (n >= 0 ? `+${fmt(n)}` : fmt(n));

/** The gateway's dropped-trace count over all reasons, from its /metrics (before it stops). */
async function tracesDropped(baseUrl: string): Promise<string> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return String(readMetricSamples(text, 'navplane_traces_dropped').reduce((sum, sample) => sum + sample.value, 0));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'navplane-bench-'));
  const upstream = await startProcess([join(__dirname, 'upstream.process.js')], {}, OTHER_CORE, readyLine);
  const results: Measured[] = [];
  try {
    // The direct path is the reference for added latency: always measured.
    results.push(await measure('direct (no proxy)', upstream.url, {}));

    for (const [id, name, script] of [
      ['bare', 'bare node:http pass-through', 'bare-proxy.process.js'],
      ['express', 'Express + http-proxy-middleware', 'express-hpm.process.js'],
    ] as const) {
      if (!ONLY.has(id)) continue;
      const target = await startProcess([join(__dirname, script)], { BENCH_UPSTREAM: upstream.url }, PROXY_CORE, readyLine);
      try {
        results.push(await measure(name, target.url, {}, upstream.url));
      } finally {
        await stop(target);
      }
    }

    if (!ONLY.has('gateway')) throw new Error('the gateway is always part of the run (BENCH_ONLY must include gateway)');
    const masterKey = randomBytes(32);
    const dbUrl = `sqlite:${join(dir, 'bench.db')}`;
    const key = await seedGateway(dbUrl, masterKey);
    const gateway = await startGateway({ dbUrl, masterKey, upstreamUrl: upstream.url, core: PROXY_CORE, nodeArgs: GATEWAY_NODE_ARGS });
    let dropped = 'unknown';
    try {
      results.push(await measure('NavPlane gateway (auth + vault + tracing)', gateway.url, { authorization: `Bearer ${key}` }, upstream.url));
      dropped = await tracesDropped(gateway.url);
    } finally {
      await stop(gateway);
    }
    const traces = await countTraces(dbUrl);

    const rows = results.map((r) => {
      const base = r.direct;
      const added = (value: number, reference: number | undefined) => (reference === undefined ? fmt(value) : signed(value - reference));
      return {
        target: r.name,
        'plain req/s': fmt(r.plainRps, 0),
        'stream req/s': fmt(r.streamRps, 0),
        'plain p50 +ms': added(r.plain.p50, base?.plain.p50),
        'plain p99 +ms': added(r.plain.p99, base?.plain.p99),
        'TTFC p50 +ms': added(r.stream.ttfc50, base?.stream.ttfc50),
        'TTFC p99 +ms': added(r.stream.ttfc99, base?.stream.ttfc99),
        errors: String(r.errors),
      };
    });
    process.stdout.write(`\nNavPlane bench: ${SECONDS}s per measurement, open loop at ${RATE} req/s, proxy pinned to core ${PROXY_CORE}\n`);
    process.stdout.write('(direct row: absolute ms; other rows: added ms over the direct path measured in alternation with that target, same percentile)\n\n');
    console.table(rows);
    process.stdout.write(`gateway traces written: ${traces}, dropped: ${dropped} (navplane_traces_dropped on /metrics)\n`);
    process.stdout.write(`${JSON.stringify({ seconds: SECONDS, rate: RATE, results, gatewayTraces: traces, gatewayTracesDropped: dropped })}\n`);
  } finally {
    await stop(upstream);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
