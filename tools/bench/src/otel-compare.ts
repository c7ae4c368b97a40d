// OpenTelemetry on vs off (docs/observability.md, docs/performance.md), with its own A/A calibration in the same
// schedule, like tracing-compare.ts: three featured gateways side by side on the proxy core, `on` exporting spans and
// metrics over OTLP/HTTP (protobuf) to a local sink, `off` and `off2` without an endpoint (OpenTelemetry off). One
// open-loop schedule alternates between them in slices, so the three see the same machine state: on vs off is the cost
// of OpenTelemetry, off2 vs off what the method reports when there is no difference at all.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { itemAt } from '@navplane/core';
import { stop, type Started } from './bench-processes';
import type { TracingFigures, TracingPercentile } from './check-targets';
import { authHeaders, chatRequests, seedFeaturedGateway, startFeaturedGateway } from './gateway-under-test';
import { openLoop, openLoopFigures, openLoopSlices, type OpenLoopFigures } from './open-loop';
import type { BenchSettings } from './settings';

const MODES = ['on', 'off', 'off2'] as const;

export interface OtelModeResult extends OpenLoopFigures {
  id: (typeof MODES)[number];
}

export interface OtelResult {
  rate: number;
  slices: number;
  modes: OtelModeResult[];
  /** OTLP export requests the sink received (spans and metrics), and their bytes. */
  exports: number;
  exportedBytes: number;
}

/** A local OTLP/HTTP sink: answers every export 200 with an empty response, counting them. */
export async function startOtlpSink(): Promise<{ url: string; server: Server; counts: { exports: number; bytes: number } }> {
  const counts = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      counts.bytes += chunk.length;
    });
    req.on('end', () => {
      counts.exports += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, counts };
}

export async function measureOtel(upstreamUrl: string, dir: string, settings: BenchSettings): Promise<OtelResult> {
  const seeded = await seedFeaturedGateway(`sqlite:${join(dir, `otel-${Date.now()}.db`)}`);
  const req = chatRequests(authHeaders(seeded)).json;
  const sink = await startOtlpSink();
  const gateways: Started[] = [];
  try {
    for (const mode of MODES) {
      const env: Record<string, string> = mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {};
      gateways.push(await startFeaturedGateway(seeded, { upstreamUrl, core: settings.proxyCore, nodeArgs: settings.gatewayNodeArgs, env }));
    }
    const urls = gateways.map((gateway) => gateway.url);
    for (const url of urls) await openLoop(url, req, settings.tracingRate, 2);
    const slices = Math.max(1, Math.round(settings.otelSeconds / settings.sliceSeconds));
    process.stderr.write(
      `- OpenTelemetry on / off / off (A/A): ${slices} slices of ${settings.sliceSeconds}s each per gateway at ${settings.tracingRate} req/s\n`,
    );
    const measured = await openLoopSlices(urls, req, {
      rate: settings.tracingRate,
      sliceSeconds: settings.sliceSeconds,
      slicesPerTarget: slices,
      settleMs: settings.settleMs,
    });
    // Stopping the `on` gateway flushes its queued spans and metrics into the sink.
    for (const gateway of gateways.splice(0)) await stop(gateway);
    return {
      rate: settings.tracingRate,
      slices,
      modes: MODES.map((id, index) => ({ id, ...openLoopFigures(itemAt(measured, index)) })),
      exports: sink.counts.exports,
      exportedBytes: sink.counts.bytes,
    };
  } finally {
    for (const gateway of gateways) await stop(gateway);
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  }
}

/** The check's view of an OpenTelemetry result (the same shape as the tracing comparison's). */
export function otelFigures(result: OtelResult): TracingFigures {
  const pick = (id: OtelModeResult['id']): Record<TracingPercentile, number> => {
    const mode = result.modes.find((m) => m.id === id);
    if (mode === undefined) throw new Error(`otel result: no mode ${id}`);
    return { p50: mode.p50, p90: mode.p90, p99: mode.p99 };
  };
  return { on: pick('on'), off: pick('off'), off2: pick('off2'), errors: result.modes.reduce((sum, mode) => sum + mode.errors, 0) };
}
