import { joinChunks } from '@navplane/core';
import { NOT_JSON, parseJsonBytes } from '../sse/json-bytes';
import type { BatchLineRead, BatchResults, BatchResultUsage } from './batch-results';

/** Lines up to this size are parsed whole (default); longer ones are read from their head and tail. */
export const DEFAULT_BATCH_LINE_MAX_BYTES = 1024 * 1024;
/** Most results one body is read for (default): more than any provider puts in one batch (Anthropic: 100,000). */
export const DEFAULT_MAX_BATCH_RESULTS = 100_000;

const HEAD_BYTES = 16 * 1024;
const TAIL_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** Options of `createBatchResultsTap`. */
export interface BatchResultsTapOptions {
  /** The provider's batch results reader (`ProviderAdapter.batchResults`). */
  readonly reader: BatchResults;
  /** The id the results are recorded under (`BatchResults.sourceOf`). */
  readonly sourceId: string;
  /** Lines up to this size are parsed whole; longer ones are read from their first 16 KiB and last 64 KiB. */
  readonly maxLineBytes?: number;
  /** Results past this many are not read (`truncated`). */
  readonly maxResults?: number;
}

/** What a batch results tap read from one body. */
export interface BatchResultsRead {
  readonly sourceId: string;
  /** Every result that reported usage, once per `customId` (a repeated id keeps its first line). */
  readonly results: readonly BatchResultUsage[];
  /** Result lines read, with or without usage. */
  readonly lines: number;
  /** True when the body held more results than `maxResults`: the rest were not read. */
  readonly truncated: boolean;
}

/** A per-response tap of a JSONL body that may be batch results: feed the chunks you forward, read at the end. */
export interface BatchResultsTap {
  /** Reads a chunk (never changes or holds the caller's bytes beyond the current line). */
  push(chunk: Buffer): void;
  /** The body ended normally: its last line needs no newline. */
  end(): void;
  /** The results read so far, or undefined when the body is not batch results (or held no line at all). */
  result(): BatchResultsRead | undefined;
}

/**
 * Makes a tap that reads batch results line by line as the body passes, holding at most one line (bounded by
 * `maxLineBytes`, then only its head and tail windows): the body is never buffered. The first line that is not a batch
 * result (a fine-tuning file, a batch input file…) makes the whole body "not batch results" and the tap stops reading.
 */
export function createBatchResultsTap(options: BatchResultsTapOptions): BatchResultsTap {
  const { reader, sourceId } = options;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_BATCH_LINE_MAX_BYTES;
  const maxResults = options.maxResults ?? DEFAULT_MAX_BATCH_RESULTS;

  let notBatch = false;
  let truncated = false;
  let ended = false;
  let lines = 0;
  const results = new Map<string, BatchResultUsage>();

  // The current line: whole while short, else its head and a rolling tail.
  let parts: Buffer[] = [];
  let length = 0;
  let head: Buffer | undefined;

  const stopped = () => notBatch || truncated || ended;

  function take(read: BatchLineRead): void {
    if (read.kind === 'not_batch') {
      notBatch = true;
      results.clear();
      return;
    }
    lines += 1;
    if (read.result !== undefined && !results.has(read.result.customId)) {
      if (results.size >= maxResults) truncated = true;
      else results.set(read.result.customId, read.result);
    }
  }

  function finishLine(): void {
    if (head !== undefined) {
      take(reader.readOversizedLine(head, Buffer.concat(parts)));
    } else if (length > 0) {
      const bytes = joinChunks(parts);
      if (!isBlank(bytes)) {
        const json = parseJsonBytes(bytes);
        take(json === NOT_JSON ? { kind: 'not_batch' } : reader.readLine(json));
      }
    }
    parts = [];
    length = 0;
    head = undefined;
  }

  function append(piece: Buffer): void {
    if (piece.length === 0) return;
    parts.push(piece);
    length += piece.length;
    if (head === undefined && length > maxLineBytes) head = Buffer.concat(parts).subarray(0, HEAD_BYTES);
    if (head !== undefined) {
      // Keep only whole pieces that still cover the tail window; a piece is copied so the caller's chunk is not held.
      let kept = length;
      let drop = 0;
      for (const part of parts) {
        if (kept - part.length < TAIL_BYTES) break;
        kept -= part.length;
        drop += 1;
      }
      if (drop > 0) {
        parts = parts.slice(drop);
        length = kept;
      }
    }
  }

  return {
    push(chunk) {
      let at = 0;
      while (!stopped() && at < chunk.length) {
        const newline = chunk.indexOf(NEWLINE, at);
        if (newline === -1) {
          // Copied: the chunk goes on to the client, the line may wait for later chunks.
          append(Buffer.from(chunk.subarray(at)));
          return;
        }
        append(chunk.subarray(at, newline));
        finishLine();
        at = newline + 1;
      }
    },
    end() {
      if (!stopped()) finishLine();
      ended = true;
    },
    result() {
      if (notBatch || lines === 0) return undefined;
      return { sourceId, results: [...results.values()], lines, truncated };
    },
  };
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
