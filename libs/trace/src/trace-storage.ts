import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '@navplane/core';
import {
  createTraceForksRepository,
  createTracesRepository,
  openDatabase,
  type Database,
  type DeleteOlderThanOptions,
  type TraceForksRepository,
  type TracesRepository,
} from '@navplane/storage';
import type { TraceStorageCall, TraceStorageResponse, TraceStorageWorkerData } from './trace-storage-protocol';

/** What the trace writer and the retention sweeper need of the database. */
export interface TraceStorage {
  readonly traces: Pick<TracesRepository, 'insertBatch' | 'deleteOlderThan' | 'deleteBatchOlderThan'>;
  readonly traceForks: Pick<TraceForksRepository, 'deleteOlderThan'>;
  /** Where the statements run: a worker thread of their own, or the caller's thread. */
  readonly thread: 'worker' | 'main';
  /** Closes the connection (never `shared`) and stops the worker; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of openTraceStorage. */
export interface OpenTraceStorageOptions {
  /** The process's database (its URL is reused; an in-memory SQLite database is shared, on the main thread). */
  shared: Database;
  /** The database URL (`NAVPLANE_DATABASE_URL`; never logged). */
  url: string;
  /** Postgres connections for trace writes and retention (default 2). */
  poolSize?: number;
  /** Run the statements in a worker thread (default true). */
  worker?: boolean;
  /**
   * Nice levels the worker thread lowers its own CPU priority by (Linux; default 10, 0 = unchanged), so that on
   * a busy machine the event loop serving requests is scheduled before trace writes and retention deletes.
   */
  workerNiceIncrement?: number;
}

/** `application_name` of the trace connections in `pg_stat_activity`. */
export const TRACE_WRITER_APPLICATION_NAME = 'navplane-trace-writer';

/** How many nice levels the trace worker thread lowers its CPU priority by (Linux). */
export const DEFAULT_WORKER_NICE_INCREMENT = 10;

// In the worker a wait for SQLite's write lock blocks only that thread: a short wait absorbs another process's
// brief write; a longer lock fails the batch, which the writer retries off the request path.
const WORKER_SQLITE_BUSY_TIMEOUT_MS = 50;

/**
 * Opens the trace writer's own connection, so trace writes and retention deletes never slow the proxy. By default
 * it lives in a worker thread: the INSERTs' CPU (building, binding, index updates) and SQLite's *synchronous*
 * waits for a lock (better-sqlite3) stay off the event loop that serves requests. Postgres: a pool of its own
 * (`application_name` navplane-trace-writer), so failing trace writes never take connections from auth and admin
 * queries. With `worker: false` the connection is opened on the caller's thread (SQLite with busy_timeout 0, so
 * a locked database fails at once instead of freezing the event loop). An in-memory SQLite database cannot be
 * opened twice: it is shared as is, on the caller's thread.
 */
export async function openTraceStorage(options: OpenTraceStorageOptions): Promise<TraceStorage> {
  const { shared } = options;
  const poolSize = options.poolSize ?? 2;
  if (shared.location.dialect === 'sqlite' && shared.location.filename === ':memory:') {
    return { ...repositoriesOver(shared), thread: 'main', close: () => Promise.resolve() };
  }
  if (options.worker === false) {
    const own = await openDatabase({ url: options.url, poolSize, sqliteBusyTimeoutMs: 0, applicationName: TRACE_WRITER_APPLICATION_NAME });
    return { ...repositoriesOver(own), thread: 'main', close: () => own.close() };
  }
  return workerStorage({
    url: options.url,
    poolSize,
    sqliteBusyTimeoutMs: WORKER_SQLITE_BUSY_TIMEOUT_MS,
    applicationName: TRACE_WRITER_APPLICATION_NAME,
    niceIncrement: options.workerNiceIncrement ?? DEFAULT_WORKER_NICE_INCREMENT,
  });
}

function repositoriesOver(database: Database): Pick<TraceStorage, 'traces' | 'traceForks'> {
  return {
    traces: createTracesRepository(database.db, database.capabilities),
    traceForks: createTraceForksRepository(database.db),
  };
}

function startWorker(data: TraceStorageWorkerData): Worker {
  const compiled = join(__dirname, 'trace-storage.worker.js');
  if (existsSync(compiled)) return new Worker(compiled, { workerData: data });
  // Running from the TypeScript sources (specs, dev runs with --conditions=@navplane/source): load the worker
  // through @swc-node/register, resolving workspace packages to their sources like the parent does.
  const source = join(__dirname, 'trace-storage.worker.ts');
  const register = require.resolve('@swc-node/register', { paths: [__dirname] });
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(source)});`, {
    eval: true,
    workerData: data,
    execArgv: ['--conditions=@navplane/source'],
  });
}

function workerStorage(data: TraceStorageWorkerData): TraceStorage {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let worker: Worker | undefined;
  let nextId = 1;
  let closing: Promise<void> | undefined;

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };

  // Started on first use, and again after a crash (the failed requests were rejected and counted by the writer).
  const current = (): Worker => {
    if (worker !== undefined) return worker;
    const started = startWorker(data);
    started.unref(); // idle, it never keeps the process alive; a pending request refs it
    started.on('message', (response: TraceStorageResponse) => {
      const waiter = pending.get(response.id);
      if (waiter === undefined) return;
      pending.delete(response.id);
      if (pending.size === 0) started.unref();
      if (response.ok) waiter.resolve(response.value);
      else waiter.reject(Object.assign(new Error(response.error.message), { name: response.error.name, code: response.error.code }));
    });
    // A worker can throw anything; the waiters get an Error either way.
    started.on('error', (error: unknown) => failAll(error instanceof Error ? error : new Error(errorMessage(error))));
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      failAll(new Error(`the trace storage worker exited (code ${code})`));
    });
    worker = started;
    return started;
  };

  const send = (request: TraceStorageCall): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const target = current();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (pending.size === 1) target.ref();
      target.postMessage({ ...request, id });
    });

  const closed = () => Promise.reject(new Error('trace storage is closed'));

  const deleteBatchOlderThan = async (cutoffIso: string, batchSize: number): Promise<number> =>
    closing === undefined ? Number(await send({ op: 'deleteBatchOlderThan', cutoffIso, batchSize })) : closed();

  return {
    thread: 'worker',
    traces: {
      async insertBatch(traces) {
        if (closing !== undefined) return closed();
        if (traces.length === 0) return;
        await send({ op: 'insertBatch', traces });
      },
      deleteBatchOlderThan,
      async deleteOlderThan(cutoffIso: string, options: DeleteOlderThanOptions = {}) {
        // The loop stays here (shouldStop is a function); each batch is one statement in the worker.
        const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 500));
        let deleted = 0;
        while (!(options.shouldStop?.() ?? false)) {
          const count = await deleteBatchOlderThan(cutoffIso, batchSize);
          deleted += count;
          if (count < batchSize) break;
          const pauseMs = options.pauseMs ?? 0;
          await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
        }
        return deleted;
      },
    },
    traceForks: {
      async deleteOlderThan(cutoffIso, batchSize = 500) {
        return closing === undefined ? Number(await send({ op: 'deleteForksOlderThan', cutoffIso, batchSize })) : closed();
      },
    },
    close() {
      closing ??= (async () => {
        const running = worker;
        if (running === undefined) return;
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        await send({ op: 'close' }).catch(() => undefined);
        // The worker ends once its connection is closed; do not wait forever for a stuck one.
        const timer = setTimeout(() => void running.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
