// `npm run bench:redaction`: where the redaction pool's inline threshold belongs (docs/policy.md). For each body
// size, a realistic chat request (prose with a few emails, phones and a key) and two pathological ones
// (`"1 1 1 …"`, `"a@a@…"`) are evaluated inline (evaluateBody on this thread) and through a one-worker pool (inlineMaxBytes 0): the
// event-loop time each costs (this thread's CPU per body, process.threadCpuUsage) and the latency each adds.
import { randomBytes } from 'node:crypto';
import { createRedactionPool, createRedactor, evaluateBody, type BodyInput } from '@navplane/policy';
import { chatBody } from './chat-bodies';
import { percentile } from './open-loop';

/** Body sizes measured, bytes. */
const SIZES = (process.env['BENCH_SIZES'] ?? '1024,2048,4096,8192,16384,32768,65536,262144,1048576').split(',').map(Number);
/** Measured time per (size, body, path), ms: repeats until it is spent (at least 3, at most 500 runs). */
const BUDGET_MS = Number(process.env['BENCH_BUDGET_MS'] ?? 400);

/** `{"input":"1 1 1 …"}` (every digit a phone/card/SSN candidate start) or `"a@a@…"` of `bytes` bytes. */
function pathologicalBody(bytes: number, unit: '1 ' | 'a@'): Buffer {
  return Buffer.from(JSON.stringify({ input: unit.repeat(Math.max(1, Math.floor((bytes - 12) / 2))) }));
}

const cpuMs = () => process.threadCpuUsage().user / 1000 + process.threadCpuUsage().system / 1000;

interface Measured {
  /** Median wall time per body, ms. */
  latency: number;
  /** This thread's CPU per body, ms. */
  mainCpu: number;
}

/** Times `run`, sync (inline) or returning a promise (the pool): it is awaited either way. */
async function measure(run: () => unknown): Promise<Measured> {
  await run(); // warm-up (JIT, the worker's redactor cache)
  const samples: number[] = [];
  const cpu0 = cpuMs();
  const t0 = performance.now();
  while (samples.length < 3 || (performance.now() - t0 < BUDGET_MS && samples.length < 500)) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return { latency: percentile(samples, 50), mainCpu: (cpuMs() - cpu0) / samples.length };
}

async function main(): Promise<void> {
  const redactor = createRedactor({ salt: randomBytes(32) });
  const pool = createRedactionPool({ size: 1, inlineMaxBytes: 0 });
  await pool.ready();
  const rows: Array<Record<string, string>> = [];
  const fmt = (n: number) => n.toFixed(n < 1 ? 3 : 1);
  try {
    for (const bytes of SIZES) {
      for (const [name, body] of [
        ['chat', Buffer.from(chatBody(bytes))],
        ['"1 1 1"', pathologicalBody(bytes, '1 ')],
        ['"a@a@"', pathologicalBody(bytes, 'a@')],
      ] as const) {
        const input: BodyInput = { bytes: body, kind: 'json' };
        const options = () => ({ mode: 'redact' as const, maxBytes: 8 * 1024 * 1024, deadline: performance.now() + 60_000 });
        const inline = await measure(() => evaluateBody(redactor, input, options()));
        const worker = await measure(() => pool.evaluate(redactor, input, options()));
        rows.push({
          body: name,
          bytes: String(body.length),
          'inline ms (event loop)': fmt(inline.latency),
          'worker latency ms': fmt(worker.latency),
          'worker event-loop CPU ms': fmt(worker.mainCpu),
          'saved event-loop ms': fmt(inline.mainCpu - worker.mainCpu),
        });
        process.stderr.write(`- ${name} ${body.length} B done\n`);
      }
    }
  } finally {
    await pool.close();
  }
  process.stdout.write('\nNavPlane redaction: inline vs one pool worker, per body (median)\n\n');
  console.table(rows);
}

main().catch((error: unknown) => {
  process.stderr.write(`redaction bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
