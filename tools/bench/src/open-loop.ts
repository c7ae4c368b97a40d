import { Agent, request } from 'node:http';
import { itemAt } from '@navplane/core';

/** One benchmark request shape. */
export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Latency samples of an open-loop run, in ms. */
export interface OpenLoopResult {
  sent: number;
  ok: number;
  errors: number;
  /** Request start → last body byte. */
  total: number[];
  /** Request start → first body byte (time to first chunk for streams). */
  firstByte: number[];
  /** openLoopSlices: requests sent in the settle part of the slices (answered, not measured). */
  settled?: number;
}

/** Sends one request and resolves when its response ended (or failed); `record` gets the timings of a 200. */
function fire(
  url: URL,
  agent: Agent,
  req: BenchRequest,
  body: Buffer,
  record: (totalMs: number, firstByteMs: number) => void,
  fail: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const t0 = performance.now();
    let first: number | undefined;
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: req.path,
        agent,
        headers: { ...req.headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        res.on('data', () => {
          first ??= performance.now();
        });
        res.on('end', () => {
          const t1 = performance.now();
          if (res.statusCode === 200) record(t1 - t0, (first ?? t1) - t0);
          else fail();
          resolve();
        });
      },
    );
    r.on('error', () => {
      fail();
      resolve();
    });
    r.end(body);
  });
}

const emptyResult = (): OpenLoopResult => ({ sent: 0, ok: 0, errors: 0, total: [], firstByte: [] });

/** fire's callbacks that count into `result`. */
const recordInto = (result: OpenLoopResult) => ({
  record: (totalMs: number, firstByteMs: number) => {
    result.ok += 1;
    result.total.push(totalMs);
    result.firstByte.push(firstByteMs);
  },
  fail: () => {
    result.errors += 1;
  },
});
const ignore = { record: () => undefined, fail: () => undefined };

/**
 * Sends `rate` requests per second for `seconds`, on a fixed schedule that does not wait for
 * responses (open loop: a slow response never delays the next request, so no coordinated omission).
 */
export async function openLoop(baseUrl: string, req: BenchRequest, rate: number, seconds: number): Promise<OpenLoopResult> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const result = emptyResult();
  const total = rate * seconds;
  const interval = 1000 / rate;
  const start = performance.now();
  const inflight: Array<Promise<void>> = [];
  const body = Buffer.from(req.body);
  const { record, fail } = recordInto(result);

  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    result.sent += 1;
    inflight.push(fire(url, agent, req, body, record, fail));
  }
  await Promise.all(inflight);
  agent.destroy();
  return result;
}

/** Outcomes of an openLoopCount run. */
export interface OpenLoopCount {
  sent: number;
  ok: number;
  errors: number;
  /** Requests of each shape of the mix that answered 200, in the order of `mix`. */
  okByShape: number[];
}

/**
 * An open loop like openLoop over a mix of request shapes (request i is `mix[i % mix.length]`) that only counts
 * outcomes: no samples and no promise per request are kept, so it can run for many minutes (the soak).
 */
export async function openLoopCount(baseUrl: string, mix: readonly BenchRequest[], rate: number, seconds: number): Promise<OpenLoopCount> {
  if (mix.length === 0) throw new Error('openLoopCount: empty mix');
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const result: OpenLoopCount = { sent: 0, ok: 0, errors: 0, okByShape: mix.map(() => 0) };
  const bodies = mix.map((req) => Buffer.from(req.body));
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  let inflight = 0;
  let drained: (() => void) | undefined;
  const settle = () => {
    inflight -= 1;
    if (inflight === 0) drained?.();
  };
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const shape = i % mix.length;
    result.sent += 1;
    inflight += 1;
    void fire(
      url,
      agent,
      itemAt(mix, shape),
      itemAt(bodies, shape),
      () => {
        result.ok += 1;
        result.okByShape[shape] = (result.okByShape[shape] ?? 0) + 1;
      },
      () => {
        result.errors += 1;
      },
    ).then(settle);
  }
  if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
  agent.destroy();
  return result;
}

/** Options of openLoopSlices. */
/** What one target answered in an open-loop measurement, and its latency percentiles (ms). */
export interface OpenLoopFigures {
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

/** The figures of one open-loop measurement: its counts and the percentiles of its total times. */
export function openLoopFigures(run: OpenLoopResult): OpenLoopFigures {
  return {
    sent: run.sent,
    ok: run.ok,
    errors: run.errors,
    p50: percentile(run.total, 50),
    p90: percentile(run.total, 90),
    p99: percentile(run.total, 99),
  };
}

export interface SliceOptions {
  rate: number;
  /** Length of one slice, in s. */
  sliceSeconds: number;
  /** Slices per target. */
  slicesPerTarget: number;
  /** The first part of each slice whose requests are sent but not measured, in ms (lets the previous slice's work settle). */
  settleMs: number;
}

/**
 * An A/B(/…) open loop for targets that run side by side: one schedule of `rate` requests/s, cut into slices that
 * go to one target at a time in the order A B B A A B … (a mirrored sequence, so a drift of the machine over
 * the run weighs on every target alike). Each slice's first `settleMs` warm the target back up and are not
 * measured; the samples of all of a target's slices are pooled. Used to compare two configurations under the
 * same machine conditions, when the difference sought is smaller than the drift between separate runs.
 */
export async function openLoopSlices(baseUrls: string[], req: BenchRequest, options: SliceOptions): Promise<OpenLoopResult[]> {
  const { rate, sliceSeconds, slicesPerTarget, settleMs } = options;
  const targets = baseUrls.map((baseUrl) => ({
    url: new URL(baseUrl),
    agent: new Agent({ keepAlive: true, maxSockets: 1024 }),
    result: emptyResult(),
  }));
  const order: number[] = [];
  for (let round = 0; round < slicesPerTarget; round += 1) {
    const forward = targets.map((_, index) => index);
    order.push(...(round % 2 === 0 ? forward : forward.reverse()));
  }
  const body = Buffer.from(req.body);
  const interval = 1000 / rate;
  const perSlice = Math.round(rate * sliceSeconds);
  const settleRequests = Math.round((settleMs / 1000) * rate);
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  let i = 0;
  for (const index of order) {
    const target = itemAt(targets, index);
    const counted = recordInto(target.result);
    for (let n = 0; n < perSlice; n += 1, i += 1) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      // The settle part of a slice is sent (it warms the target back up) but not counted.
      const measured = n >= settleRequests;
      if (measured) target.result.sent += 1;
      else target.result.settled = (target.result.settled ?? 0) + 1;
      const { record, fail } = measured ? counted : ignore;
      inflight.push(fire(target.url, target.agent, req, body, record, fail));
    }
  }
  await Promise.all(inflight);
  for (const target of targets) target.agent.destroy();
  return targets.map((target) => target.result);
}

/** The p-th percentile (0-100) of samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return itemAt(sorted, rank);
}
