// The trace writer's database thread (a worker_threads entry point, started by openTraceStorage). It owns its
// own connection and runs the writer's INSERTs and the retention DELETEs, so their CPU — and SQLite's
// synchronous waits for a lock — never run on the event loop that serves requests.
import { parentPort, workerData } from 'node:worker_threads';
import { createTraceForksRepository, createTracesRepository, openDatabase } from '@navplane/storage';
import { lowerThreadPriority } from '@navplane/core';
import type { TraceStorageRequest, TraceStorageResponse, TraceStorageWorkerData } from './trace-storage-protocol';

const port = parentPort;
if (port === null) throw new Error('trace-storage.worker must run in a worker thread');
const data = workerData as TraceStorageWorkerData;

// Trace writes are background work: when the CPU is contended, the threads serving requests go first.
lowerThreadPriority(data.niceIncrement);

const opened = openDatabase({
  url: data.url,
  poolSize: data.poolSize,
  sqliteBusyTimeoutMs: data.sqliteBusyTimeoutMs,
  applicationName: data.applicationName,
}).then((database) => ({
  database,
  traces: createTracesRepository(database.db, database.capabilities),
  traceForks: createTraceForksRepository(database.db),
}));
// An open failure is answered per request below; never an unhandled rejection here.
opened.catch(() => undefined);

async function handle(request: TraceStorageRequest): Promise<unknown> {
  const { database, traces, traceForks } = await opened;
  switch (request.op) {
    case 'insertBatch':
      return traces.insertBatch(request.traces);
    case 'deleteBatchOlderThan':
      return traces.deleteBatchOlderThan(request.cutoffIso, request.batchSize);
    case 'deleteForksOlderThan':
      return traceForks.deleteOlderThan(request.cutoffIso, request.batchSize);
    case 'close':
      return database.close();
  }
}

port.on('message', (request: TraceStorageRequest) => {
  handle(request).then(
    (value) => {
      port.postMessage({ id: request.id, ok: true, value: value ?? null } satisfies TraceStorageResponse);
      if (request.op === 'close') port.close();
    },
    (error: unknown) => {
      // Only what the writer needs to count and log the failure: never the batch, never the URL.
      const failure = error as { name?: unknown; message?: unknown; code?: unknown };
      port.postMessage({
        id: request.id,
        ok: false,
        error: {
          name: typeof failure?.name === 'string' ? failure.name : 'Error',
          message: typeof failure?.message === 'string' ? failure.message : String(error),
          code: typeof failure?.code === 'string' ? failure.code : undefined,
        },
      } satisfies TraceStorageResponse);
      if (request.op === 'close') port.close();
    },
  );
});
