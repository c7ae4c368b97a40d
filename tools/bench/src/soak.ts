// The RSS soak: one featured gateway (pinned to the proxy core, fresh database) under BENCH_SOAK_RATE req/s open
// loop for BENCH_SOAK_SECONDS, one request in three streamed. Its resident memory (VmRSS of /proc/<pid>/status, the
// process and any descendants) is sampled every BENCH_SOAK_SAMPLE_SECONDS from the start of the load; the last
// sample is taken when the last response has arrived. A gateway that holds on to something per request grows
// between minute 2 (when its caches and heap have reached their working size) and the end.
import { join } from 'node:path';
import { countTraceRows, stop } from './bench-processes';
import { sampleNearest, soakReferenceSeconds, type SoakFigures } from './check-targets';
import { authHeaders, chatRequests, seedFeaturedGateway, startFeaturedGateway } from './gateway-under-test';
import { openLoop, openLoopCount } from './open-loop';
import { processCpuMicros, processRssKib } from './proc-stats';
import type { BenchSettings } from './settings';

export interface RssSample {
  /** Seconds after the load started. */
  seconds: number;
  rssKib: number;
}

export interface SoakResult {
  seconds: number;
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  okJson: number;
  okStream: number;
  /** Gateway CPU per answered request over the whole soak, µs (informational). */
  cpuUsPerRequest: number;
  samples: RssSample[];
  referenceSeconds: number;
  tracesWritten: number;
}

export async function measureSoak(upstreamUrl: string, dir: string, settings: BenchSettings): Promise<SoakResult> {
  const seeded = await seedFeaturedGateway(`sqlite:${join(dir, 'soak.db')}`);
  const { json, stream } = chatRequests(authHeaders(seeded));
  const gateway = await startFeaturedGateway(seeded, { upstreamUrl, core: settings.proxyCore, nodeArgs: settings.gatewayNodeArgs });
  const pid = gateway.child.pid as number;
  const samples: RssSample[] = [];
  try {
    // A short warm-up so the first samples are not the JIT's.
    await openLoop(gateway.url, json, settings.soakRate, 1);
    process.stderr.write(
      `- soak: ${settings.soakSeconds}s at ${settings.soakRate} req/s (one in three streamed), RSS every ${settings.soakSampleSeconds}s\n`,
    );
    const started = performance.now();
    const sample = () => samples.push({ seconds: Math.round((performance.now() - started) / 100) / 10, rssKib: processRssKib(pid) });
    sample();
    const timer = setInterval(sample, settings.soakSampleSeconds * 1000);
    const cpuBefore = processCpuMicros(pid);
    let counted;
    try {
      counted = await openLoopCount(gateway.url, [json, json, stream], settings.soakRate, settings.soakSeconds);
    } finally {
      clearInterval(timer);
    }
    const cpuUsed = processCpuMicros(pid) - cpuBefore;
    sample();
    await stop(gateway);
    return {
      seconds: settings.soakSeconds,
      rate: settings.soakRate,
      sent: counted.sent,
      ok: counted.ok,
      errors: counted.errors,
      okJson: (counted.okByShape[0] ?? 0) + (counted.okByShape[1] ?? 0),
      okStream: counted.okByShape[2] ?? 0,
      cpuUsPerRequest: counted.ok > 0 ? cpuUsed / counted.ok : Number.NaN,
      samples,
      referenceSeconds: soakReferenceSeconds(settings.soakSeconds, settings.soakSampleSeconds),
      tracesWritten: (await countTraceRows(seeded.dbUrl)).traces,
    };
  } finally {
    await stop(gateway);
  }
}

/** The check's view of a soak: the sample nearest the reference time and the last one. */
export function soakFigures(result: SoakResult): SoakFigures {
  const reference = sampleNearest(result.samples, result.referenceSeconds);
  const end = result.samples[result.samples.length - 1];
  return {
    referenceSeconds: result.referenceSeconds,
    referenceRssKib: reference?.rssKib ?? Number.NaN,
    endRssKib: end?.rssKib ?? Number.NaN,
    seconds: end?.seconds ?? result.seconds,
    errors: result.errors,
  };
}
