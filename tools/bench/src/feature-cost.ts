// `npm run bench:features`: what each feature of the gateway costs in CPU per request. One proxy at a time, pinned to
// the proxy core like `npm run bench`: the featured gateway of the comparison, then the same gateway with one thing
// changed (tracing off, body capture off, both off, OpenTelemetry on, a routed request), beside featureless Express +
// http-proxy-middleware; saturation req/s and CPU µs per request (JSON and stream) for each, in BENCH_FEATURE_ROUNDS
// rounds in mirrored order, and the median of the rounds. Every variant runs on the same seeded database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readyLine, startProcess, stop, type Started } from './bench-processes';
import { median } from './check-targets';
import { pidOf, saturateWithCpu } from './compare';
import { authHeaders, chatRequests, ROUTE_MODEL, seedFeaturedGateway, startFeaturedGateway } from './gateway-under-test';
import { startOtlpSink } from './otel-compare';
import { saturate } from './saturate';
import { readSettings } from './settings';

/** One proxy measured: how it is started and what it is sent. */
interface Variant {
  readonly name: string;
  /** Environment of the featured gateway that differs from the comparison's; undefined: Express + hpm. */
  readonly env?: Readonly<Record<string, string>>;
  /** The requests' model (the routed variant names the org's route). */
  readonly model?: string;
}

async function main(): Promise<void> {
  const settings = readSettings();
  const rounds = settings.featureRounds;
  const seconds = settings.seconds;
  const dir = await mkdtemp(join(tmpdir(), 'navplane-bench-features-'));
  const upstream = await startProcess([join(__dirname, 'upstream.process.js')], {}, settings.otherCore, readyLine);
  const sink = await startOtlpSink();
  const variants: Variant[] = [
    { name: 'Express + http-proxy-middleware (no features)' },
    { name: 'gateway, every feature (the bench’s)', env: {} },
    { name: 'tracing off (NAVPLANE_TRACE_SINK=none)', env: { NAVPLANE_TRACE_SINK: 'none' } },
    { name: 'body capture off (NAVPLANE_CAPTURE_BODIES=false)', env: { NAVPLANE_CAPTURE_BODIES: 'false' } },
    { name: 'tracing and body capture off', env: { NAVPLANE_TRACE_SINK: 'none', NAVPLANE_CAPTURE_BODIES: 'false' } },
    { name: 'OpenTelemetry on (OTLP to a local sink)', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } },
    { name: 'routed (a fallback route whose first target answers)', env: {}, model: ROUTE_MODEL },
  ];
  const samples = new Map<string, { rps: number[]; cpu: number[]; streamRps: number[]; streamCpu: number[]; failed: number }>();
  try {
    const seeded = await seedFeaturedGateway(`sqlite:${join(dir, 'features.db')}`);
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        process.stderr.write(`  - round ${round + 1}/${rounds}: ${variant.name}\n`);
        let started: Started;
        if (variant.env === undefined) {
          started = await startProcess(
            [join(__dirname, 'express-hpm.process.js')],
            { BENCH_UPSTREAM: upstream.url },
            settings.proxyCore,
            readyLine,
          );
        } else {
          started = await startFeaturedGateway(seeded, {
            upstreamUrl: upstream.url,
            core: settings.proxyCore,
            nodeArgs: settings.gatewayNodeArgs,
            env: variant.env,
          });
        }
        try {
          const pid = pidOf(started);
          const { json, stream } = chatRequests(variant.env === undefined ? {} : authHeaders(seeded), variant.model);
          await saturate(started.url, json, 2);
          await saturate(started.url, stream, 2);
          // From an idle proxy to an idle proxy, as the comparison measures (deferred work such as trace writes counted).
          const jsonFigures = await saturateWithCpu(started.url, json, seconds, pid);
          const streamFigures = await saturateWithCpu(started.url, stream, seconds, pid);
          const entry = samples.get(variant.name) ?? { rps: [], cpu: [], streamRps: [], streamCpu: [], failed: 0 };
          entry.rps.push(jsonFigures.completed / seconds);
          entry.cpu.push(jsonFigures.cpuUs ?? Number.NaN);
          entry.streamRps.push(streamFigures.completed / seconds);
          entry.streamCpu.push(streamFigures.cpuUs ?? Number.NaN);
          entry.failed += jsonFigures.errors + jsonFigures.non2xx + streamFigures.errors + streamFigures.non2xx;
          samples.set(variant.name, entry);
        } finally {
          await stop(started);
        }
      }
    }
  } finally {
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
    await stop(upstream);
    await rm(dir, { recursive: true, force: true });
  }
  const reference = samples.get(variants[0]?.name ?? '');
  const rows = variants.map((variant) => {
    const entry = samples.get(variant.name);
    if (entry === undefined) return { variant: variant.name };
    const cpu = median(entry.cpu);
    const streamCpu = median(entry.streamCpu);
    return {
      variant: variant.name,
      'JSON req/s': Math.round(median(entry.rps)),
      'stream req/s': Math.round(median(entry.streamRps)),
      'CPU µs/req JSON': cpu.toFixed(1),
      'CPU µs/req stream': streamCpu.toFixed(1),
      'JSON CPU × Express': reference === undefined ? '' : `×${(cpu / median(reference.cpu)).toFixed(2)}`,
      'rounds (CPU µs JSON)': entry.cpu.map((value) => value.toFixed(0)).join(', '),
      failed: entry.failed,
    };
  });
  process.stdout.write(
    `\nNavPlane feature cost: one proxy at a time pinned to core ${settings.proxyCore}, ${seconds}s per saturation phase (64 connections), ` +
      `${rounds} round(s) in mirrored order, medians; CPU is the proxy process's user + system time per response\n\n`,
  );
  console.table(rows);
  process.stdout.write(`${JSON.stringify({ seconds, rounds, results: Object.fromEntries(samples) })}\n`);
  if ([...samples.values()].some((entry) => entry.failed > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`feature bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
