import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { decodeBody, evaluateDecoded, type BodyEvaluation, type BodyEvaluationOptions, type BodyInput } from '../body/evaluate-body';
import { engineOf } from '../engine/engine-registry';
import type { EngineSettings } from '../engine/redaction-engine';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import type { Redactor } from '../redactor';
import type { RedactionRequest, RedactionResponse, RedactionWorkerData } from './redaction-pool-protocol';
import { startRedactionWorker } from './start-redaction-worker';

/**
 * Default RedactionPoolOptions.inlineMaxBytes: 4 KiB of decoded body. Measured (`npm run bench:redaction`,
 * docs/policy.md): a worker hop costs the event loop about 0.1 ms and adds 0.1-0.3 ms of latency; inline, a 4 KiB
 * chat body takes about 0.5 ms and the worst body known (`"1 1 1 …"`) about 4 ms, growing by about 1 ms per KiB.
 */
export const DEFAULT_INLINE_MAX_BYTES = 4 * 1024;
/** Default RedactionPoolOptions.maxQueued. */
export const DEFAULT_MAX_QUEUED = 256;
/** Default RedactionPoolOptions.hangGraceMs. */
export const DEFAULT_HANG_GRACE_MS = 250;
/** Default RedactionPoolOptions.redactorCacheSize. */
export const DEFAULT_REDACTOR_CACHE_SIZE = 16;
/** Default RedactionPoolOptions.niceIncrement: workers run below the event loop, which serves every tenant. */
export const DEFAULT_REDACTION_NICE_INCREMENT = 10;
/** Wait before starting a worker again after one failed to start (a broken build must not spin). */
const RESTART_DELAY_MS = 1000;

/** Default RedactionPoolOptions.size: one worker per core but one, at least one (the event loop keeps a core). */
export function defaultRedactionPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** How a redaction pool is built; validated once by createRedactionPool. */
export interface RedactionPoolOptions {
  /**
   * Worker threads, i.e. jobs evaluated at once: the global CPU budget of redaction, shared by every org
   * (default max(1, availableParallelism() - 1)).
   */
  size?: number;
  /** Jobs waiting for a worker; a job that finds the queue full fails at once with `timeout` (default 256). */
  maxQueued?: number;
  /** Bodies of at most this many bytes, decoded, are evaluated inline on the caller's thread (default 4096). */
  inlineMaxBytes?: number;
  /** How long a worker still busy past its job's deadline may take to stop before it is terminated and replaced, ms (default 250). */
  hangGraceMs?: number;
  /** Redactors each worker keeps built, per (salt, detectors, decode bounds) (default 16). */
  redactorCacheSize?: number;
  /**
   * Nice levels each worker thread lowers itself by (Linux; default 10, 0 = none): when the CPU is short, the event
   * loop that serves every tenant is scheduled before one tenant's redaction.
   */
  niceIncrement?: number;
}

/** What RedactionPool.evaluate needs: BodyEvaluationOptions with a deadline (it also bounds the queue wait). */
export interface PoolEvaluationOptions extends BodyEvaluationOptions {
  /** `performance.now()` deadline of the whole evaluation, queue wait included. */
  readonly deadline: number;
}

/** A point-in-time view of a pool, for metrics. */
export interface RedactionPoolStats {
  /** The configured budget (worker threads). */
  size: number;
  /** Workers started and ready. */
  workers: number;
  /** Workers running a job (or still finishing one abandoned at its deadline). */
  busy: number;
  /** Jobs waiting for a worker. */
  queued: number;
  /** Workers that crashed or hung and were replaced, since the pool was made. */
  replaced: number;
}

/** Decoding and redaction of large bodies in worker threads, under a global budget. */
export interface RedactionPool {
  /** Worker threads (the budget). */
  readonly size: number;
  /** Decoded size up to which bodies are evaluated inline. */
  readonly inlineMaxBytes: number;
  /**
   * Same answer as evaluateBody (placeholders byte-identical): inline for a body of at most `inlineMaxBytes`
   * decoded, else in a worker, FIFO behind at most `maxQueued` others. Rejects with PolicyEvaluationError:
   * `timeout` when the deadline passes (queue wait included), the queue is full or the pool is closed;
   * `detector_error` when the worker crashed (it is replaced); as evaluateBody otherwise.
   */
  evaluate(redactor: Redactor, input: BodyInput, options: PoolEvaluationOptions): Promise<BodyEvaluation>;
  /** Resolves once every worker has started (rejects if one fails to); jobs submitted before simply wait. */
  ready(): Promise<void>;
  stats(): RedactionPoolStats;
  /** Terminates the workers; queued and running jobs fail with `timeout`, later ones too. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts one worker (redaction.worker.ts, or a test double). */
export type RedactionWorkerStarter = (data: RedactionWorkerData) => Worker;

interface Job {
  readonly id: number;
  readonly recipe: EngineSettings;
  readonly input: BodyInput;
  readonly options: PoolEvaluationOptions;
  readonly resolve: (evaluation: BodyEvaluation) => void;
  readonly reject: (error: PolicyEvaluationError) => void;
  timer: NodeJS.Timeout | undefined;
  /** The slot running it; undefined while queued. */
  slot: Slot | undefined;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** The job it runs. */
  job: Job | undefined;
  /** A job abandoned at its deadline that the worker has not answered yet: the slot is still busy. */
  overdue: number | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  /** Crashed or being terminated: gets no more work; replaced once its thread has exited. */
  dead: boolean;
}

// Fixed texts: an error of the pool never carries body text, the salt or a worker's own error message.
const timedOut = (message: string) => new PolicyEvaluationError('timeout', message);
const workerFailed = () => new PolicyEvaluationError('detector_error', 'the redaction worker failed');

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min) throw new RangeError(`${name} must be an integer >= ${min}`);
  return chosen;
}

/**
 * A pool of redaction workers (worker_threads): `evaluate` decodes and redacts large bodies off the event loop,
 * at most `size` at once for the whole process, FIFO behind a bounded queue, each within its deadline from the
 * moment it is submitted. A worker that crashes fails its job (`detector_error`); one still busy `hangGraceMs`
 * after its job's deadline is terminated; either is replaced and the other jobs go on. Workers start at once (idle
 * workers do not keep the process alive); throws a RangeError on bad options.
 */
export function createRedactionPool(options: RedactionPoolOptions = {}): RedactionPool {
  return createRedactionPoolWith(options, startRedactionWorker);
}

/** createRedactionPool with its own way of starting workers (specs start instrumented ones). */
export function createRedactionPoolWith(options: RedactionPoolOptions, start: RedactionWorkerStarter): RedactionPool {
  const size = positiveInteger('size', options.size, defaultRedactionPoolSize());
  const maxQueued = positiveInteger('maxQueued', options.maxQueued, DEFAULT_MAX_QUEUED, 0);
  const inlineMaxBytes = positiveInteger('inlineMaxBytes', options.inlineMaxBytes, DEFAULT_INLINE_MAX_BYTES, 0);
  const hangGraceMs = positiveInteger('hangGraceMs', options.hangGraceMs, DEFAULT_HANG_GRACE_MS, 0);
  const data: RedactionWorkerData = {
    redactorCacheSize: positiveInteger('redactorCacheSize', options.redactorCacheSize, DEFAULT_REDACTOR_CACHE_SIZE),
    niceIncrement: positiveInteger('niceIncrement', options.niceIncrement, DEFAULT_REDACTION_NICE_INCREMENT, 0),
  };
  // No heap limit of their own (resourceLimits): V8 can abort the whole process, not just the worker, when a
  // worker reaches one (seen on Node 24 with a 128 MiB limit); a worker's heap is bounded like the main thread's.

  const slots = new Set<Slot>();
  const queue: Job[] = [];
  const restarts = new Set<NodeJS.Timeout>();
  let readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let nextId = 1;
  let replaced = 0;
  let closed = false;
  let closing: Promise<void> | undefined;

  const settleReady = (error?: Error) => {
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  };
  const allReady = () => slots.size === size && [...slots].every((slot) => slot.ready && !slot.dead);

  const idleSlot = (): Slot | undefined => {
    for (const slot of slots) {
      if (slot.ready && !slot.dead && slot.job === undefined && slot.overdue === undefined) return slot;
    }
    return undefined;
  };

  // A worker is referenced only while it has work, so an idle pool never keeps the process alive.
  const release = (slot: Slot) => {
    if (slot.job === undefined && slot.overdue === undefined) slot.worker.unref();
  };

  const finish = (job: Job): void => {
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    job.slot = undefined;
  };

  const run = (slot: Slot, job: Job): void => {
    job.slot = slot;
    slot.job = job;
    slot.worker.ref();
    // A copy of exactly the body's bytes, transferred: the caller's Buffer may share a larger pooled ArrayBuffer,
    // and it is still needed (forwarded as is when nothing is found). The salt is cloned, never transferred.
    const bytes = new Uint8Array(job.input.bytes);
    const request: RedactionRequest = {
      id: job.id,
      recipe: job.recipe,
      bytes,
      contentEncoding: job.input.contentEncoding,
      kind: job.input.kind,
      complete: job.input.complete !== false,
      mode: job.options.mode,
      maxBytes: job.options.maxBytes,
      deadlineEpochMs: performance.timeOrigin + job.options.deadline,
    };
    slot.worker.postMessage(request, [bytes.buffer]);
  };

  const pump = (): void => {
    while (queue.length > 0) {
      const slot = idleSlot();
      if (slot === undefined) return;
      run(slot, queue.shift() as Job);
    }
  };

  /** The job's deadline passed: out of the queue, or abandoned by its worker (which gets hangGraceMs to stop). */
  const expire = (job: Job): void => {
    job.timer = undefined;
    const slot = job.slot;
    if (slot === undefined) {
      const at = queue.indexOf(job);
      if (at >= 0) queue.splice(at, 1);
      job.reject(timedOut('the body waited for a redaction worker past its deadline'));
      return;
    }
    job.slot = undefined;
    slot.job = undefined;
    slot.overdue = job.id;
    job.reject(timedOut('policy evaluation passed its deadline'));
    slot.graceTimer = setTimeout(() => {
      slot.graceTimer = undefined;
      if (slot.overdue !== job.id) return;
      slot.dead = true; // hung: terminated, replaced on exit
      void slot.worker.terminate();
    }, hangGraceMs);
  };

  const onMessage = (slot: Slot, message: RedactionResponse): void => {
    if (message.type === 'ready') {
      slot.ready = true;
      if (allReady()) settleReady();
      pump();
      return;
    }
    if (message.id === slot.overdue) {
      // The abandoned job's late answer: the worker is free again.
      if (slot.graceTimer !== undefined) clearTimeout(slot.graceTimer);
      slot.graceTimer = undefined;
      slot.overdue = undefined;
      release(slot);
      pump();
      return;
    }
    const job = slot.job;
    if (job === undefined || job.id !== message.id) return;
    slot.job = undefined;
    finish(job);
    if (message.type === 'result') job.resolve(message.evaluation);
    else
      job.reject(
        new PolicyEvaluationError(
          message.reason,
          message.reason === 'timeout' ? 'policy evaluation passed its deadline' : 'policy evaluation failed',
        ),
      );
    release(slot);
    pump();
  };

  /** The worker crashed (uncaught error, exit, unreadable message): its job fails closed. */
  const onFailure = (slot: Slot): void => {
    slot.dead = true;
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined) {
      finish(job);
      job.reject(workerFailed());
    }
  };

  const spawn = (): void => {
    const worker = start(data);
    worker.unref();
    const slot: Slot = { worker, ready: false, job: undefined, overdue: undefined, graceTimer: undefined, dead: false };
    slots.add(slot);
    worker.on('message', (message: RedactionResponse) => onMessage(slot, message));
    worker.on('messageerror', () => {
      onFailure(slot);
      void worker.terminate();
    });
    // The error itself is not kept or logged: it may quote the body.
    worker.on('error', () => onFailure(slot));
    worker.on('exit', () => {
      onFailure(slot);
      slots.delete(slot);
      if (slot.graceTimer !== undefined) clearTimeout(slot.graceTimer);
      if (closed) return;
      if (!slot.ready) {
        // It never started: say so to whoever waits, and retry later rather than in a tight loop.
        settleReady(new Error('a redaction worker failed to start'));
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (!closed) spawn();
        }, RESTART_DELAY_MS);
        timer.unref();
        restarts.add(timer);
        return;
      }
      replaced += 1;
      spawn(); // the budget is kept: the replacement starts only once the old thread is gone
    });
  };

  for (let i = 0; i < size; i += 1) spawn();

  const submit = (recipe: EngineSettings, input: BodyInput, options: PoolEvaluationOptions): Promise<BodyEvaluation> =>
    new Promise((resolve, reject) => {
      if (closed) {
        reject(timedOut('the redaction pool is closed'));
        return;
      }
      const remaining = options.deadline - performance.now();
      if (!(remaining > 0)) {
        reject(timedOut('policy evaluation passed its deadline'));
        return;
      }
      if (queue.length >= maxQueued && idleSlot() === undefined) {
        reject(timedOut('the redaction queue is full'));
        return;
      }
      const job: Job = { id: nextId++, recipe, input, options, resolve, reject, timer: undefined, slot: undefined };
      job.timer = setTimeout(() => expire(job), remaining);
      queue.push(job);
      pump();
    });

  return {
    size,
    inlineMaxBytes,
    evaluate(redactor, input, options) {
      try {
        if (input.bytes.length <= inlineMaxBytes) {
          // Decoding stops at the inline bound: a small compressed body that inflates past it goes to a worker.
          const decoded = decodeBody(input, Math.min(options.maxBytes, inlineMaxBytes));
          if (decoded.ok) return Promise.resolve(evaluateDecoded(redactor, input.kind, decoded.text, decoded.prefix, options));
          if (decoded.reason !== 'too_large' || options.maxBytes <= inlineMaxBytes) return Promise.resolve(decoded);
        }
        let recipe: EngineSettings;
        try {
          recipe = engineOf(redactor).settings;
        } catch (error) {
          throw new PolicyEvaluationError('detector_error', 'policy evaluation failed', { cause: error });
        }
        return submit(recipe, input, options);
      } catch (error) {
        // Anything else thrown fails closed like a detector failure (and rejects with an Error).
        return Promise.reject(
          error instanceof Error ? error : new PolicyEvaluationError('detector_error', 'policy evaluation failed', { cause: error }),
        );
      }
    },
    ready() {
      if (closed || allReady()) return Promise.resolve();
      return new Promise((resolve, reject) => readyWaiters.push({ resolve, reject }));
    },
    stats() {
      let workers = 0;
      let busy = 0;
      for (const slot of slots) {
        if (slot.ready && !slot.dead) workers += 1;
        if (slot.job !== undefined || slot.overdue !== undefined) busy += 1;
      }
      return { size, workers, busy, queued: queue.length, replaced };
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const timer of restarts) clearTimeout(timer);
        restarts.clear();
        settleReady();
        for (const job of queue.splice(0)) {
          finish(job);
          job.reject(timedOut('the redaction pool is closed'));
        }
        const exits: Array<Promise<void>> = [];
        for (const slot of slots) {
          const job = slot.job;
          slot.job = undefined;
          slot.dead = true;
          if (job !== undefined) {
            finish(job);
            job.reject(timedOut('the redaction pool is closed'));
          }
          exits.push(slot.worker.terminate().then(() => undefined));
        }
        await Promise.all(exits);
      })();
      return closing;
    },
  };
}
