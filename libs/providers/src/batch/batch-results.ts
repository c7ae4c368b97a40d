import { findKeyValue, keyBytes, lastObjectValue, parseJsonBytes, skipSpace, stringLiteralEnd } from '../sse/json-bytes';
import type { Usage } from '../usage';

/** The usage of one batch result, as its provider billed it (at the batch price: docs/pricing.md, "Batch"). */
export interface BatchResultUsage {
  /** The client's id of the request in its batch (`custom_id`): unique within the batch. */
  readonly customId: string;
  /** The model that answered, when the result names one. */
  readonly model?: string;
  readonly usage: Usage;
}

/**
 * What one line of a results body is: a batch result (with its usage when it succeeded; errored, canceled and
 * expired results carry none), or a line no batch result looks like, which means the body is not batch results.
 */
export type BatchLineRead = { readonly kind: 'result'; readonly result?: BatchResultUsage } | { readonly kind: 'not_batch' };

/**
 * A provider's batch results (`ProviderAdapter.batchResults`): which responses may carry them, and how one JSONL line
 * of such a response is read. Provider-specific shapes stay in the adapter's folder.
 */
export interface BatchResults {
  /**
   * The id the results of `method pathSuffix` are recorded under (the batch id, or the output file id), when the
   * route may return batch results; else undefined. A route that serves other files too (OpenAI's file content) is
   * told apart by content: its first line that is no batch result makes the whole body none.
   */
  sourceOf(method: string, pathSuffix: string): string | undefined;
  /** Reads one whole line, parsed. */
  readLine(json: unknown): BatchLineRead;
  /**
   * Reads a line too long to hold (a very long completion) from its first and last bytes: its id and model sit near
   * the start, its usage near the end.
   */
  readOversizedLine(head: Buffer, tail: Buffer): BatchLineRead;
}

/** The first string value of member `name` in `buf` (JSON text, maybe cut), or undefined. */
export function firstStringMember(buf: Buffer, name: string): string | undefined {
  const value = findKeyValue(buf, keyBytes(name));
  if (value === -1) return undefined;
  const start = skipSpace(buf, value);
  const end = stringLiteralEnd(buf, start);
  if (end === -1) return undefined;
  const parsed = parseJsonBytes(buf.subarray(start, end));
  return typeof parsed === 'string' && parsed.length > 0 ? parsed : undefined;
}

/** True when `buf` holds member `name` as a key. */
export function hasMember(buf: Buffer, name: string): boolean {
  return findKeyValue(buf, keyBytes(name)) !== -1;
}

/** The last complete object value of member `name` in `buf`, parsed, or undefined. */
export function lastObjectMember(buf: Buffer, name: string): unknown {
  return lastObjectValue(buf, keyBytes(name));
}
