import { NOT_JSON, parseJsonBytes } from '../sse/json-bytes';
import type { SseEvent } from '../sse/sse-parser';
import { asRecord } from '../usage';
import type { AssemblyContext } from './assembly-context';

/** One provider's assembly of one stream; fed parsed SSE events by `createResponseAssembler`. */
export interface StreamAssembly {
  /** True once the provider's terminal event was seen. */
  readonly complete: boolean;
  /** Reads one event; malformed ones are counted on the context, never thrown. */
  onEvent(event: SseEvent): void;
  /** An event over the size cap (skipped): only its type is known. */
  onOversizedEvent(type: string): void;
  /** Ends every open filter and builds the body. Called once. */
  finish(): Record<string, unknown>;
}

/** The event data as a JSON object, or undefined (counted as malformed). */
export function parseEventObject(ctx: AssemblyContext, data: Buffer): Record<string, unknown> | undefined {
  const value = parseJsonBytes(data);
  const record = value === NOT_JSON ? undefined : asRecord(value);
  if (!record) ctx.malformed++;
  return record;
}

/**
 * A provider error (`{error:{type,message,…}}` or the fields at top level, as in a Responses `error`
 * event) as `{type?, code?, param?, message?}`: `type` and `code` clipped, `param` and the message filtered.
 */
export function assembleError(ctx: AssemblyContext, payload: Record<string, unknown>): Record<string, unknown> {
  const nested = asRecord(payload['error']);
  const error = nested ?? payload;
  return compact({
    // At top level `type` is the event's own ('error'), not the error's.
    type: nested ? ctx.short(error['type']) : undefined,
    code: ctx.short(error['code']),
    // The request parameter the error is about (a path such as `messages[0].content`): filtered.
    param: ctx.filtered(error['param']),
    message: ctx.filtered(error['message']),
  });
}

/** A copy of `record` without its undefined members (so the body holds only JSON values). */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}
