import { Agent, request } from 'node:http';

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
}

/**
 * Sends `rate` requests per second for `seconds`, on a fixed schedule that does not wait for
 * responses (open loop: a slow response never delays the next request, so no coordinated omission).
 */
export async function openLoop(baseUrl: string, req: BenchRequest, rate: number, seconds: number): Promise<OpenLoopResult> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const result: OpenLoopResult = { sent: 0, ok: 0, errors: 0, total: [], firstByte: [] };
  const total = rate * seconds;
  const interval = 1000 / rate;
  const start = performance.now();
  const inflight: Array<Promise<void>> = [];
  const body = Buffer.from(req.body);

  const fire = () =>
    new Promise<void>((resolve) => {
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
            if (res.statusCode === 200) {
              result.ok += 1;
              result.total.push(t1 - t0);
              result.firstByte.push((first ?? t1) - t0);
            } else {
              result.errors += 1;
            }
            resolve();
          });
        },
      );
      r.on('error', () => {
        result.errors += 1;
        resolve();
      });
      r.end(body);
    });

  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    result.sent += 1;
    inflight.push(fire());
  }
  await Promise.all(inflight);
  agent.destroy();
  return result;
}

/** The p-th percentile (0-100) of samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
