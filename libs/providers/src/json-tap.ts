import { joinChunks } from '@navplane/core';
import type { ProviderAdapter } from './provider-adapter';
import { findKeyValue, keyBytes, lastObjectValue, NOT_JSON, parseJsonBytes, skipSpace, stringLiteralEnd } from './sse/json-bytes';
import type { Usage } from './usage';

/** Options of `createJsonTap`. */
export interface JsonTapOptions {
  /** The provider that answered (its usage-reporting routes, JSON members and readers). */
  readonly adapter: ProviderAdapter;
  /** The request method (default `POST`). */
  readonly method?: string;
  /** The upstream path (`/v1/...`) the response answers. */
  readonly pathSuffix: string;
  /** Bodies up to this size are parsed whole; larger ones are read from head and tail windows (default 1 MiB). */
  readonly fullParseMaxBytes?: number;
}

/** What a JSON tap read from one response body. */
export interface JsonTapResult {
  readonly usage?: Usage;
  readonly model?: string;
  /** True when the body (or its usage object) was not the JSON expected. */
  readonly malformed: boolean;
}

/** A per-response JSON body tap: feed the chunks you forward, read the result at the end. */
export interface JsonTap {
  /** Records a chunk (kept by reference, never copied while the body is small). */
  push(chunk: Buffer): void;
  /** Usage and model of the body seen so far. */
  result(): JsonTapResult;
}

const HEAD_BYTES = 16 * 1024;
const TAIL_BYTES = 64 * 1024;
// The byte patterns of the members adapters name (`usage`, `model`, `usageMetadata`…), made once per name.
const KEYS = new Map<string, Buffer>();
function memberKey(name: string): Buffer {
  let key = KEYS.get(name);
  if (key === undefined) {
    key = keyBytes(name);
    KEYS.set(name, key);
  }
  return key;
}
const IGNORED: JsonTap = Object.freeze({ push: () => undefined, result: () => ({ malformed: false }) });

/**
 * Makes a tap that reads usage and model from a JSON response without holding or parsing more than
 * it must: nothing at all for routes that report no usage; the whole body when it is small; above
 * `fullParseMaxBytes` (large embedding batches) only the first 16 KiB (where the model sits in chat and
 * message bodies) and the last 64 KiB (where every provider puts its top-level usage), each found by the
 * adapter's `jsonMembers` names.
 */
export function createJsonTap(options: JsonTapOptions): JsonTap {
  const { adapter, pathSuffix } = options;
  if (!adapter.reportsUsage(options.method ?? 'POST', pathSuffix)) return IGNORED;
  const fullParseMaxBytes = options.fullParseMaxBytes ?? 1024 * 1024;
  const usageMember = adapter.jsonMembers.usage;
  const usageKey = memberKey(usageMember);
  const modelKey = memberKey(adapter.jsonMembers.model);

  let chunks: Buffer[] = [];
  let total = 0;
  let head: Buffer | undefined;

  function push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    chunks.push(chunk);
    total += chunk.length;
    if (head === undefined && total > fullParseMaxBytes) {
      let covered = 0;
      let count = 0;
      for (const c of chunks) {
        if (covered >= HEAD_BYTES) break;
        covered += c.length;
        count++;
      }
      head = Buffer.concat(chunks.slice(0, count)).subarray(0, HEAD_BYTES);
    }
    if (head !== undefined) {
      let kept = total;
      // Drop whole chunks from the front while the rest still covers the tail window.
      let drop = 0;
      for (const c of chunks) {
        if (kept - c.length < TAIL_BYTES) break;
        kept -= c.length;
        drop++;
      }
      if (drop > 0) {
        chunks = chunks.slice(drop);
        total = kept;
      }
    }
  }

  function result(): JsonTapResult {
    if (head === undefined) {
      const value = parseJsonBytes(joinChunks(chunks));
      if (value === NOT_JSON) return { malformed: true };
      const usage = adapter.usageFromJson(pathSuffix, value);
      const model = adapter.modelFromJson(value);
      return { malformed: false, ...(usage ? { usage } : {}), ...(model ? { model } : {}) };
    }
    const tail = Buffer.concat(chunks);
    const usageJson = lastObjectValue(tail, usageKey);
    const usage = usageJson === undefined ? undefined : adapter.usageFromJson(pathSuffix, { [usageMember]: usageJson });
    const model = firstStringValue(head, modelKey) ?? lastStringValue(tail, modelKey);
    return { malformed: usage === undefined, ...(usage ? { usage } : {}), ...(model ? { model } : {}) };
  }

  return { push, result };
}

function stringAt(buf: Buffer, value: number): string | undefined {
  const end = stringLiteralEnd(buf, skipSpace(buf, value));
  if (end === -1) return undefined;
  const parsed = parseJsonBytes(buf.subarray(value, end));
  return typeof parsed === 'string' && parsed.length > 0 ? parsed : undefined;
}

function firstStringValue(buf: Buffer, key: Buffer): string | undefined {
  const value = findKeyValue(buf, key);
  return value === -1 ? undefined : stringAt(buf, value);
}

function lastStringValue(buf: Buffer, key: Buffer): string | undefined {
  let at = buf.lastIndexOf(key);
  while (at !== -1) {
    const value = findKeyValue(buf, key, at);
    if (value !== -1) {
      const found = stringAt(buf, value);
      if (found) return found;
    }
    at = at === 0 ? -1 : buf.lastIndexOf(key, at - 1);
  }
  return undefined;
}
