import type { PreparedRequest } from '../provider-adapter';
import { skipSpace } from '../sse/json-bytes';
import { asNonEmptyString, asRecord } from '../usage';
import { OPENAI_CHAT_COMPLETIONS } from './openai.routes';

const INJECTED_MEMBER = Buffer.from('"stream_options":{"include_usage":true}', 'latin1');
const COMMA = Buffer.from(',', 'latin1');

/**
 * An OpenAI-shaped request body as sent, rewritten in no way: its `model` and whether it asks for a stream. For
 * upstreams that report stream usage on their own (Mistral) and refuse members they do not know.
 */
export function readOpenAIRequest(json: unknown): PreparedRequest {
  const body = asRecord(json);
  if (!body) return { body: json, changed: false, stream: false, stripUsageChunk: false };
  const model = asNonEmptyString(body['model']);
  return { body: json, changed: false, stream: body['stream'] === true, stripUsageChunk: false, ...(model ? { model } : {}) };
}

/**
 * Exact stream usage: an OpenAI chat stream reports token usage only when the request sets
 * `stream_options.include_usage`. When a streaming chat request does not, the gateway sets it
 * (keeping every other field and stream_options key) and asks the tap to strip what that adds to
 * the stream, so the client sees the stream it asked for and the trace still gets exact usage.
 */
export function prepareOpenAIRequest(pathSuffix: string, json: unknown, rawBody?: Buffer): PreparedRequest {
  const unchanged = readOpenAIRequest(json);
  const body = asRecord(json);
  if (!body || pathSuffix !== OPENAI_CHAT_COMPLETIONS || !unchanged.stream) return unchanged;

  const options = body['stream_options'];
  const optionsRecord = asRecord(options);
  // Not an object (and not null): invalid, the upstream's 400 is the right answer; leave it alone.
  if (options !== undefined && options !== null && !optionsRecord) return unchanged;
  if (optionsRecord?.['include_usage'] === true) return unchanged;

  const rewritten = { ...body, stream_options: { ...optionsRecord, include_usage: true } };
  const result: PreparedRequest = { ...unchanged, body: rewritten, changed: true, stripUsageChunk: true };
  if (!rawBody) return result;
  return { ...result, bytes: rewriteBytes(rawBody, rewritten, !('stream_options' in body)) };
}

/**
 * The rewritten body as bytes. Without a `stream_options` member the new one is inserted right after
 * the opening brace, so every other byte is forwarded as sent (no float or big-integer drift, no
 * re-serialising of large inline images); otherwise the body is re-serialised.
 */
function rewriteBytes(raw: Buffer, rewritten: object, canInsert: boolean): Buffer {
  const open = skipSpace(raw, 0);
  if (canInsert && raw[open] === 0x7b) {
    const afterBrace = open + 1;
    const next = skipSpace(raw, afterBrace);
    const head = raw.subarray(0, afterBrace);
    const tail = raw.subarray(afterBrace);
    return raw[next] === 0x7d ? Buffer.concat([head, INJECTED_MEMBER, tail]) : Buffer.concat([head, INJECTED_MEMBER, COMMA, tail]);
  }
  return Buffer.from(JSON.stringify(rewritten), 'utf8');
}
