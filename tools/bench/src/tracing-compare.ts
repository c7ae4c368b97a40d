// Tracing on vs off, with its own A/A calibration in the same schedule. Three featured gateways run side by side on
// the proxy core and one database: `on` (NAVPLANE_TRACE_SINK=db), `off` and `off2` (both `none`). One open-loop
// schedule alternates between them in slices (A B C C B A …, openLoopSlices; the first BENCH_SETTLE_MS of each slice
// are sent but not measured), so the three see the same machine state. on vs off is the cost of tracing; off2 vs off
// is what the method reports when there is no difference at all (the A/A band the on/off delta is judged against).
import { join } from 'node:path';
import { countTraceRows, stop, type Started } from './bench-processes';
import type { TracingFigures, TracingPercentile } from './check-targets';
import { authHeaders, chatRequests, seedFeaturedGateway, startFeaturedGateway } from './gateway-under-test';
import { openLoop, openLoopFigures, openLoopSlices, type OpenLoopFigures, type OpenLoopResult } from './open-loop';
import type { BenchSettings } from './settings';
import { itemAt } from '@navplane/core';

const MODES = [
  { id: 'on', sink: 'db' },
  { id: 'off', sink: 'none' },
  { id: 'off2', sink: 'none' },
] as const;

export interface TracingModeResult extends OpenLoopFigures {
  id: 'on' | 'off' | 'off2';
}

export interface TracingResult {
  rate: number;
  slices: number;
  modes: TracingModeResult[];
  /** Rows the traced gateway wrote, and the requests it answered (warm-up and settle parts included). */
  tracesWritten: number;
  answeredByOn: number;
}

export async function measureTracing(upstreamUrl: string, dir: string, settings: BenchSettings): Promise<TracingResult> {
  const seeded = await seedFeaturedGateway(`sqlite:${join(dir, 'tracing.db')}`);
  const req = chatRequests(authHeaders(seeded)).json;
  const gateways: Started[] = [];
  try {
    for (const mode of MODES) {
      gateways.push(
        await startFeaturedGateway(seeded, {
          upstreamUrl,
          core: settings.proxyCore,
          nodeArgs: settings.gatewayNodeArgs,
          env: { NAVPLANE_TRACE_SINK: mode.sink },
        }),
      );
    }
    const urls = gateways.map((gateway) => gateway.url);
    const warmUps: OpenLoopResult[] = [];
    for (const url of urls) warmUps.push(await openLoop(url, req, settings.tracingRate, 2));
    const slices = Math.max(1, Math.round(settings.tracingSeconds / settings.sliceSeconds));
    process.stderr.write(
      `- tracing on / off / off (A/A): ${slices} slices of ${settings.sliceSeconds}s each per gateway at ${settings.tracingRate} req/s\n`,
    );
    const measured = await openLoopSlices(urls, req, {
      rate: settings.tracingRate,
      sliceSeconds: settings.sliceSeconds,
      slicesPerTarget: slices,
      settleMs: settings.settleMs,
    });
    for (const gateway of gateways.splice(0)) await stop(gateway);
    const on = itemAt(measured, 0);
    return {
      rate: settings.tracingRate,
      slices,
      modes: MODES.map((mode, index) => {
        return { id: mode.id, ...openLoopFigures(itemAt(measured, index)) };
      }),
      tracesWritten: (await countTraceRows(seeded.dbUrl)).traces,
      answeredByOn: itemAt(warmUps, 0).sent + on.sent + (on.settled ?? 0),
    };
  } finally {
    for (const gateway of gateways) await stop(gateway);
  }
}

/** The check's view of a tracing result. */
export function tracingFigures(result: TracingResult): TracingFigures {
  const pick = (id: TracingModeResult['id']): Record<TracingPercentile, number> => {
    const mode = result.modes.find((m) => m.id === id);
    if (mode === undefined) throw new Error(`tracing result: no mode ${id}`);
    return { p50: mode.p50, p90: mode.p90, p99: mode.p99 };
  };
  return { on: pick('on'), off: pick('off'), off2: pick('off2'), errors: result.modes.reduce((sum, mode) => sum + mode.errors, 0) };
}
