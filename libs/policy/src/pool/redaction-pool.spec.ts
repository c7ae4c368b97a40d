import { expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { threadNiceValues } from '@navplane/core';
import { evaluateBody, type BodyEvaluation, type BodyInput } from '../body/evaluate-body';
import { isPolicyEvaluationError, type PolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactor, type Redactor } from '../redactor';
import {
  createRedactionPool,
  createRedactionPoolWith,
  DEFAULT_REDACTION_NICE_INCREMENT,
  DEFAULT_INLINE_MAX_BYTES,
  type RedactionPool,
  type RedactionPoolOptions,
} from './redaction-pool';
import { startWorkerEntry } from './start-redaction-worker';

jest.setTimeout(60_000);

const salt = randomBytes(32);
const redactor = createRedactor({ salt });
const SECRET = ['sk', 'proj', 'Zx9'.repeat(14)].join('-');

const within = (ms: number, mode: 'scan' | 'redact' = 'redact') => ({ mode, maxBytes: 4 * 1024 * 1024, deadline: performance.now() + ms });
const json = (value: unknown): BodyInput => ({ bytes: Buffer.from(JSON.stringify(value)), kind: 'json' });
/** A small JSON body whose `"i"` the instrumented worker records, and an email to redact. */
const numbered = (i: number, contentEncoding?: string): BodyInput => ({
  ...json({ i, input: 'mail jane.doe@example.com' }),
  contentEncoding,
});

async function failure(promise: Promise<unknown>): Promise<PolicyEvaluationError> {
  try {
    await promise;
  } catch (error) {
    if (isPolicyEvaluationError(error)) return error;
    throw error;
  }
  throw new Error('expected a PolicyEvaluationError');
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pools: RedactionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A pool of instrumented workers (instrumented.worker.fixture.ts): every body goes to a worker unless told. */
function instrumented(options: RedactionPoolOptions = {}) {
  const counters = new SharedArrayBuffer(4 * 64);
  const shared = new Int32Array(counters);
  // Threads alive (started, not yet exited): a hung thread burns CPU until it is gone, so it counts too.
  let threads = 0;
  let maxThreads = 0;
  const pool = createRedactionPoolWith({ inlineMaxBytes: 0, ...options }, (data) => {
    const worker = startWorkerEntry('instrumented.worker.fixture', { ...data, counters });
    threads += 1;
    maxThreads = Math.max(maxThreads, threads);
    worker.once('exit', () => (threads -= 1));
    return worker;
  });
  pools.push(pool);
  return {
    pool,
    /** Jobs running in the workers now, and the most at once (counted in the workers). */
    running: () => Atomics.load(shared, 0),
    maxRunning: () => Atomics.load(shared, 1),
    /** The `"i"` of each job's body, in the order the workers started them. */
    started: () => [...shared.subarray(3, 3 + Atomics.load(shared, 2))],
    maxThreads: () => maxThreads,
  };
}

/** A large chat body with values of every detector, some only visible decoded or joined. */
function chatBody(messages: number): Record<string, unknown> {
  const turns = [];
  for (let i = 0; i < messages; i += 1) {
    turns.push({
      role: 'user',
      content: `turn ${i}: mail Jane.Doe+${i}@Example.com or call +44 20 7946 ${String(1000 + (i % 9000)).padStart(4, '0')}`,
    });
    if (i % 50 === 0) {
      turns.push({
        role: 'assistant',
        content: [
          { type: 'text', text: 'the key is sk-proj-' },
          { type: 'text', text: `${'Zx9'.repeat(14)} ok` },
        ],
      });
      turns.push({
        role: 'user',
        content: `card 4111 1111 1111 1111, ssn: 123-45-6789, b64 ${Buffer.from('jane.doe@example.com').toString('base64')}`,
      });
      turns.push({ role: 'user', content: `Bearer ${SECRET} and ja\u200Bne@exam\u0440le.com` });
    }
  }
  return { model: 'gpt-4o-mini', messages: turns, metadata: { 'owner jane.doe@example.com': 1 } };
}

describe('createRedactionPool', () => {
  it('answers exactly as evaluateBody does on the caller’s thread: same placeholders, findings and failures', async () => {
    const pool = createRedactionPool({ size: 2, inlineMaxBytes: 0 });
    pools.push(pool);
    await pool.ready();
    const text = JSON.stringify(chatBody(2000));
    expect(text.length).toBeGreaterThan(150_000);
    const other = createRedactor({ salt: randomBytes(32), detectors: ['email', 'secrets'] });
    const cases: Array<[string, Redactor, BodyInput, 'scan' | 'redact']> = [
      ['JSON, redact', redactor, { bytes: Buffer.from(text), kind: 'json' }, 'redact'],
      ['JSON, scan (block)', redactor, { bytes: Buffer.from(text), kind: 'json' }, 'scan'],
      ['another org’s salt and detectors', other, { bytes: Buffer.from(text), kind: 'json' }, 'redact'],
      ['gzip', redactor, { bytes: gzipSync(text), contentEncoding: 'gzip', kind: 'json' }, 'redact'],
      ['text/plain', redactor, { bytes: Buffer.from(`notes: ${text.replace(/[{}[\]"]/g, ' ')}`), kind: 'text' }, 'redact'],
      ['a prefix', redactor, { bytes: Buffer.from(text).subarray(0, 100_001), kind: 'json', complete: false }, 'redact'],
      ['nothing to find', redactor, json({ input: 'lorem ipsum '.repeat(20_000) }), 'redact'],
      ['invalid UTF-8', redactor, { bytes: Buffer.concat([Buffer.from(text), Buffer.from([0xff])]), kind: 'json' }, 'redact'],
      ['an unknown encoding', redactor, { bytes: Buffer.from(text), contentEncoding: 'zstd', kind: 'json' }, 'redact'],
    ];
    for (const [name, org, input, mode] of cases) {
      const inline = evaluateBody(org, input, within(30_000, mode));
      const pooled = await pool.evaluate(org, input, within(30_000, mode));
      expect({ name, evaluation: pooled }).toEqual({ name, evaluation: inline });
    }
    const redacted = (await pool.evaluate(redactor, { bytes: Buffer.from(text), kind: 'json' }, within(30_000))) as Extract<
      BodyEvaluation,
      { ok: true }
    >;
    expect(redacted.rewritten).toBe(true);
    expect(redacted.text).not.toContain('Example.com');
    expect(redacted.text).not.toContain('Zx9Zx9');
    // Evaluation failures too: invalid JSON is `unparseable` in both.
    const broken = { bytes: Buffer.from(`${text.slice(0, -1)},}`), kind: 'json' as const };
    expect((await failure(Promise.resolve().then(() => evaluateBody(redactor, broken, within(30_000))))).reason).toBe('unparseable');
    expect((await failure(pool.evaluate(redactor, broken, within(30_000)))).reason).toBe('unparseable');
  });

  (process.platform === 'linux' ? it : it.skip)('runs its workers below the event loop’s CPU priority (nice +10 by default)', async () => {
    const before = threadNiceValues();
    const base = before.get(process.pid);
    if (base === undefined) throw new Error('no nice value for the main thread');
    expect(base + DEFAULT_REDACTION_NICE_INCREMENT).toBeLessThanOrEqual(19); // room to see the change
    const pool = createRedactionPool({ size: 2 });
    pools.push(pool);
    await pool.ready();
    const started = [...threadNiceValues()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    expect(started.filter((nice) => nice === base + DEFAULT_REDACTION_NICE_INCREMENT)).toHaveLength(2);
    expect(threadNiceValues().get(process.pid)).toBe(base);
  });

  it('keeps bodies up to inlineMaxBytes (decoded) on the caller’s thread, and sends larger ones to a worker', async () => {
    // Workers that never become ready: anything sent to one waits until its deadline.
    const pool = createRedactionPoolWith({ size: 1 }, () => new Worker('setInterval(() => {}, 60_000);', { eval: true }));
    pools.push(pool);
    expect(pool.inlineMaxBytes).toBe(DEFAULT_INLINE_MAX_BYTES);
    const small = json({ input: `mail jane.doe@example.com ${'x'.repeat(DEFAULT_INLINE_MAX_BYTES - 100)}` });
    expect(small.bytes.length).toBeLessThanOrEqual(DEFAULT_INLINE_MAX_BYTES);
    expect(await pool.evaluate(redactor, small, within(1000))).toEqual(evaluateBody(redactor, small, within(1000)));
    const compressedSmall = { bytes: gzipSync(small.bytes), contentEncoding: 'gzip', kind: 'json' as const };
    expect(await pool.evaluate(redactor, compressedSmall, within(1000))).toEqual(evaluateBody(redactor, small, within(1000)));
    // Over the bound as sent, or only once inflated (a small gzip body may inflate to megabytes).
    const large = json({ input: 'x'.repeat(DEFAULT_INLINE_MAX_BYTES) });
    const inflating = { bytes: gzipSync(large.bytes), contentEncoding: 'gzip', kind: 'json' as const };
    expect(inflating.bytes.length).toBeLessThan(DEFAULT_INLINE_MAX_BYTES);
    expect((await failure(pool.evaluate(redactor, large, within(50)))).reason).toBe('timeout');
    expect((await failure(pool.evaluate(redactor, inflating, within(50)))).reason).toBe('timeout');
    // A small body that inflates past maxBytes itself is refused inline, as evaluateBody refuses it.
    expect(await pool.evaluate(redactor, inflating, { ...within(1000), maxBytes: 1024 })).toEqual({ ok: false, reason: 'too_large' });
  });

  it('runs at most `size` jobs at once across its workers, the others queued first in, first out', async () => {
    const { pool, maxRunning, started, running, maxThreads } = instrumented({ size: 2 });
    await pool.ready();
    const jobs = Array.from({ length: 8 }, (_, i) => pool.evaluate(redactor, numbered(i, 'x-test-sleep-100'), within(20_000)));
    expect(pool.stats()).toMatchObject({ size: 2, workers: 2, busy: 2, queued: 6 });
    const results = await Promise.all(jobs);
    for (const result of results)
      expect(result).toMatchObject({ ok: true, rewritten: true, text: expect.stringMatching(/mail \[EMAIL:[0-9a-f]{8}\]/) });
    expect(maxRunning()).toBe(2);
    expect(running()).toBe(0);
    expect(maxThreads()).toBe(2);
    // FIFO: two workers start their jobs at about the same moment, so neighbours may swap, but no job starts
    // before one submitted two places ahead of it.
    expect([...started()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    started().forEach((index, position) => expect(Math.abs(index - position)).toBeLessThanOrEqual(1));
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it('counts the wait in the queue toward the deadline: a job that would start too late fails with `timeout`', async () => {
    const { pool, started } = instrumented({ size: 1 });
    await pool.ready();
    const first = pool.evaluate(redactor, numbered(0, 'x-test-sleep-600'), within(20_000));
    const t0 = performance.now();
    const late = await failure(pool.evaluate(redactor, numbered(1), within(150)));
    const waited = performance.now() - t0;
    expect(late.reason).toBe('timeout');
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(550); // answered at its deadline, not when the worker came free
    expect(await first).toMatchObject({ ok: true });
    expect(started()).toEqual([0]); // the late job never reached a worker
    expect(await pool.evaluate(redactor, numbered(2), within(20_000))).toMatchObject({ ok: true });
  });

  it('fails a job at once with `timeout` when the queue is full, or when its deadline has already passed', async () => {
    const { pool } = instrumented({ size: 1, maxQueued: 1 });
    await pool.ready();
    const running = pool.evaluate(redactor, numbered(0, 'x-test-sleep-300'), within(20_000));
    const queued = pool.evaluate(redactor, numbered(1), within(20_000));
    const t0 = performance.now();
    const refused = await failure(pool.evaluate(redactor, numbered(2), within(20_000)));
    expect(refused).toMatchObject({ reason: 'timeout', message: 'the redaction queue is full' });
    expect(performance.now() - t0).toBeLessThan(100);
    expect((await failure(pool.evaluate(redactor, numbered(3), within(-1)))).reason).toBe('timeout');
    expect(await running).toMatchObject({ ok: true });
    expect(await queued).toMatchObject({ ok: true });
  });

  it('fails a crashed worker’s job closed (`detector_error`), replaces the worker, and lets the other jobs go on', async () => {
    const { pool, maxThreads } = instrumented({ size: 2 });
    await pool.ready();
    const other = pool.evaluate(redactor, numbered(0, 'x-test-sleep-300'), within(20_000));
    expect(await failure(pool.evaluate(redactor, numbered(1, 'x-test-crash'), within(20_000)))).toMatchObject({
      reason: 'detector_error',
      message: 'the redaction worker failed',
    });
    expect(await other).toMatchObject({ ok: true });
    await until(() => pool.stats().replaced === 1 && pool.stats().workers === 2);
    expect(maxThreads()).toBe(2);
    const after = await Promise.all([0, 1, 2].map((i) => pool.evaluate(redactor, numbered(i), within(20_000))));
    for (const result of after) expect(result).toMatchObject({ ok: true, rewritten: true });
  });

  it('answers `timeout` at the deadline of a job whose worker hangs, then terminates and replaces that worker', async () => {
    const { pool, maxThreads } = instrumented({ size: 1, hangGraceMs: 100 });
    await pool.ready();
    const t0 = performance.now();
    const hung = pool.evaluate(redactor, numbered(0, 'x-test-hang'), within(200));
    const behind = pool.evaluate(redactor, numbered(1), within(20_000));
    expect((await failure(hung)).reason).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(1000);
    // The hung thread still holds the budget until it is gone: the job behind it waits for the replacement.
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    expect(await behind).toMatchObject({ ok: true });
    expect(pool.stats().replaced).toBe(1);
    expect(maxThreads()).toBe(1); // the replacement started only once the hung thread had exited
  });

  it('close() terminates the workers and fails running, queued and later jobs with `timeout`', async () => {
    const { pool } = instrumented({ size: 1 });
    await pool.ready();
    const running = failure(pool.evaluate(redactor, numbered(0, 'x-test-sleep-2000'), within(20_000)));
    const queued = failure(pool.evaluate(redactor, numbered(1), within(20_000)));
    const t0 = performance.now();
    await pool.close();
    expect(performance.now() - t0).toBeLessThan(1500);
    expect((await running).message).toBe('the redaction pool is closed');
    expect((await queued).reason).toBe('timeout');
    expect((await failure(pool.evaluate(redactor, numbered(2), within(20_000)))).reason).toBe('timeout');
    expect(pool.stats()).toMatchObject({ workers: 0, busy: 0, queued: 0 });
    await pool.close(); // twice is fine
  });

  it('never puts the salt in an error: crash, hang, queue full, closed, past the deadline, a foreign redactor', async () => {
    const { pool } = instrumented({ size: 1, maxQueued: 1, hangGraceMs: 50 });
    await pool.ready();
    const foreign: Redactor = { redactText: () => ({ text: '', findings: [] }), scanText: () => [] };
    const errors: PolicyEvaluationError[] = [];
    errors.push(await failure(pool.evaluate(redactor, numbered(0, 'x-test-crash'), within(20_000))));
    await until(() => pool.stats().workers === 1);
    const hung = failure(pool.evaluate(redactor, numbered(1, 'x-test-hang'), within(300)));
    const queued = failure(pool.evaluate(redactor, numbered(2), within(100)));
    errors.push(await failure(pool.evaluate(redactor, numbered(3), within(20_000))));
    errors.push(await queued, await hung);
    errors.push(await failure(pool.evaluate(redactor, numbered(4), within(-1))));
    errors.push(await failure(pool.evaluate(foreign, numbered(5), within(1000))));
    errors.push(await failure(pool.evaluate(redactor, { bytes: Buffer.from('{"a":'), kind: 'json' }, within(20_000))));
    await pool.close();
    errors.push(await failure(pool.evaluate(redactor, numbered(6), within(1000))));
    expect(errors.map((error) => error.reason)).toEqual([
      'detector_error',
      'timeout',
      'timeout',
      'timeout',
      'timeout',
      'detector_error',
      'unparseable',
      'timeout',
    ]);
    const forms = [salt.toString('hex'), salt.toString('base64'), salt.toString('base64url'), salt.toString('latin1'), [...salt].join(',')];
    for (const error of errors) {
      const shown = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String(error.stack)].join('\n');
      for (const form of forms) expect(shown).not.toContain(form);
    }
  });

  it('validates its options', () => {
    expect(() => createRedactionPool({ size: 0 })).toThrow(RangeError);
    expect(() => createRedactionPool({ size: 1.5 })).toThrow(RangeError);
    expect(() => createRedactionPool({ maxQueued: -1 })).toThrow(RangeError);
    expect(() => createRedactionPool({ inlineMaxBytes: Number.NaN })).toThrow(RangeError);
    expect(() => createRedactionPool({ hangGraceMs: -5 })).toThrow(RangeError);
    expect(() => createRedactionPool({ redactorCacheSize: 0 })).toThrow(RangeError);
  });
});
