import type { NewTrace } from '@navplane/storage';

// The messages between openTraceStorage (main thread) and trace-storage.worker (its database thread).

/** What the worker is started with. */
export interface TraceStorageWorkerData {
  url: string;
  poolSize: number;
  sqliteBusyTimeoutMs: number;
  applicationName: string;
  /** Nice levels the worker thread lowers its own CPU priority by (0: unchanged). */
  niceIncrement: number;
}

/** What the main thread asks of the worker. */
export type TraceStorageCall =
  | { op: 'insertBatch'; traces: readonly NewTrace[] }
  | { op: 'deleteBatchOlderThan'; cutoffIso: string; batchSize: number }
  | { op: 'deleteForksOlderThan'; cutoffIso: string; batchSize: number }
  | { op: 'close' };

/** A call as sent: `id` pairs it with its response. */
export type TraceStorageRequest = { id: number } & TraceStorageCall;

/** The worker's answer: the value, or the error's name, message and driver code (never data). */
export type TraceStorageResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code: string | undefined } };
