// `npm run bench:policy`: the latency cost of a `redact_upstream` policy on a 4 KB and a 100 KB chat request.
// One gateway (pinned to one core, tracing on) serves two orgs: one without a policy, one with `redact_upstream`.
// Both are driven open loop at the same rate with the same bodies (a realistic conversation with a few emails,
// phone numbers and a key in it, so the redactor rewrites); added latency = policy org − plain org at each
// percentile. Also prints the redactor's own time per body, measured in this process.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor, redactJson } from '@navplane/policy';
import { readyLine, seedGatewayOrg, startGateway, startProcess, stop } from './bench-processes';
import { chatBody } from './chat-bodies';
import { openLoop, percentile, type BenchRequest } from './open-loop';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
/** Open-loop rate per body size: low enough that one core is not saturated, so the figure is the per-request cost. */
const RATES: Record<string, number> = {
  '4 KB': Number(process.env['BENCH_RATE'] ?? 100),
  '100 KB': Number(process.env['BENCH_RATE_LARGE'] ?? 25),
};
const PROXY_CORE = process.env['BENCH_PROXY_CORE'] ?? '1';
const OTHER_CORE = process.env['BENCH_OTHER_CORE'] ?? '0';

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const signed = (n: number) => (n >= 0 ? `+${fmt(n)}` : fmt(n));

/** Median time of the redactor alone on `body`, in ms (in this process, not pinned). */
function redactorMs(body: string): { ms: number; findings: number } {
  const redactor = createRedactor({ salt: randomBytes(32) });
  let findings = 0;
  const samples: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const t0 = performance.now();
    findings = redactJson(redactor, body, { mode: 'redact' }).findings.length;
    samples.push(performance.now() - t0);
  }
  return { ms: percentile(samples.slice(50), 50), findings };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'navplane-bench-policy-'));
  const upstream = await startProcess([join(__dirname, 'upstream.process.js')], {}, OTHER_CORE, readyLine);
  try {
    const masterKey = randomBytes(32);
    const dbUrl = `sqlite:${join(dir, 'bench.db')}`;
    const plainOrg = await seedGatewayOrg(dbUrl, masterKey);
    const policyOrg = await seedGatewayOrg(dbUrl, masterKey, [{ scopeType: 'org', mode: 'redact_upstream' }]);
    const gateway = await startGateway({ dbUrl, masterKey, upstreamUrl: upstream.url, core: PROXY_CORE });
    const rows: Record<string, string>[] = [];
    const results: unknown[] = [];
    try {
      for (const [label, bytes] of [
        ['4 KB', 4 * 1024],
        ['100 KB', 100 * 1024],
      ] as const) {
        const body = chatBody(bytes);
        const RATE = RATES[label] ?? 25;
        const request = (key: string): BenchRequest => ({
          path: '/v1/chat/completions',
          headers: { authorization: `Bearer ${key}` },
          body,
        });
        process.stderr.write(`- ${label}: warm-up\n`);
        await openLoop(gateway.url, request(plainOrg.key), RATE, 2);
        await openLoop(gateway.url, request(policyOrg.key), RATE, 2);
        process.stderr.write(`- ${label}: open loop at ${RATE} req/s (${SECONDS}s each, alternating)\n`);
        // Alternate halves so drift on the machine hits both sides alike.
        const half = Math.max(1, SECONDS / 2);
        const plain = [await openLoop(gateway.url, request(plainOrg.key), RATE, half)];
        const redacted = [await openLoop(gateway.url, request(policyOrg.key), RATE, half)];
        plain.push(await openLoop(gateway.url, request(plainOrg.key), RATE, half));
        redacted.push(await openLoop(gateway.url, request(policyOrg.key), RATE, half));
        const samples = (runs: typeof plain) => runs.flatMap((run) => run.total);
        const errors = [...plain, ...redacted].reduce((sum, run) => sum + run.errors, 0);
        const p = (runs: typeof plain, q: number) => percentile(samples(runs), q);
        const alone = redactorMs(body);
        rows.push({
          body: `${label} (${Buffer.byteLength(body)} B) at ${RATE} req/s`,
          'no policy p50 ms': fmt(p(plain, 50)),
          'redact_upstream p50 ms': fmt(p(redacted, 50)),
          'added p50 ms': signed(p(redacted, 50) - p(plain, 50)),
          'added p99 ms': signed(p(redacted, 99) - p(plain, 99)),
          'redactor alone ms': fmt(alone.ms),
          'values redacted': String(alone.findings),
          errors: String(errors),
        });
        results.push({
          label,
          rate: RATE,
          bytes: Buffer.byteLength(body),
          plainP50: p(plain, 50),
          plainP99: p(plain, 99),
          policyP50: p(redacted, 50),
          policyP99: p(redacted, 99),
          redactorMs: alone.ms,
          findings: alone.findings,
          errors,
        });
      }
    } finally {
      await stop(gateway);
    }
    process.stdout.write(
      `\nNavPlane policy bench: redact_upstream vs no policy, ${SECONDS}s per body size, open loop, gateway pinned to core ${PROXY_CORE}\n\n`,
    );
    console.table(rows);
    process.stdout.write(`${JSON.stringify({ seconds: SECONDS, results })}\n`);
  } finally {
    await stop(upstream);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`policy bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
