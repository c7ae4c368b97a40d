import { findKeyValue, keyBytes, lastObjectValue, NOT_JSON, parseJsonBytes, stringLiteralEnd } from '../sse/json-bytes';
import { asNonEmptyString, asRecord } from '../usage';
import type { WebSocketServerEvent, WebSocketSupport } from '../websocket';
import { openaiUsage } from './openai-usage';

/** Realtime (`/v1/realtime?model=…`) and Responses over WebSocket (`/v1/responses`, as Codex uses it). */
const WEBSOCKET_PATHS: ReadonlySet<string> = new Set(['/v1/realtime', '/v1/responses']);

const TYPE_KEY = keyBytes('type');
const USAGE_KEY = keyBytes('usage');

/** Server events that end a response: Realtime's `response.done`, and the Responses API's terminal events. */
const ENDED: ReadonlySet<string> = new Set(['response.done', 'response.completed', 'response.incomplete', 'response.failed']);
const SESSION: ReadonlySet<string> = new Set(['session.created', 'session.updated']);
const STARTED = 'response.created';

/**
 * The first `"type"` member's string value, read without parsing the message: OpenAI puts the event's own `type`
 * before any nested object (`{"type":"response.done",…}` or `{"event_id":"…","type":…}`), so audio and text deltas
 * (most of a session's messages) are skipped after a few bytes.
 */
function leadingType(data: Buffer): string | undefined {
  const value = findKeyValue(data, TYPE_KEY);
  if (value === -1 || data[value] !== 0x22) return undefined;
  const end = stringLiteralEnd(data, value);
  return end === -1 ? undefined : data.toString('latin1', value + 1, end - 1);
}

function interesting(type: string | undefined): boolean {
  return type !== undefined && (type === STARTED || ENDED.has(type) || SESSION.has(type));
}

function eventOf(type: string, payload: Record<string, unknown> | undefined): WebSocketServerEvent | undefined {
  if (type === STARTED) return { kind: 'response_started' };
  if (SESSION.has(type)) {
    const model = asNonEmptyString(asRecord(payload?.['session'])?.['model']);
    return model === undefined ? { kind: 'session' } : { kind: 'session', model };
  }
  if (!ENDED.has(type)) return undefined;
  const response = asRecord(payload?.['response']);
  const model = asNonEmptyString(response?.['model']);
  const usage = openaiUsage(response?.['usage']);
  const status = asNonEmptyString(response?.['status']);
  return {
    kind: 'response_ended',
    ...(model === undefined ? {} : { model }),
    ...(usage === undefined ? {} : { usage }),
    ...(status === undefined ? {} : { status }),
  };
}

/** OpenAI's WebSocket endpoints (`ProviderAdapter.webSocket`; docs/gateway.md, "WebSockets"). */
export const OPENAI_WEBSOCKET: WebSocketSupport = Object.freeze({
  isWebSocketPath: (pathSuffix: string) => WEBSOCKET_PATHS.has(pathSuffix),
  keyProtocolPrefix: 'openai-insecure-api-key.',
  modelFromQuery(rawQuery: string): string | undefined {
    if (rawQuery === '') return undefined;
    const model = new URLSearchParams(rawQuery).get('model');
    return model === null || model === '' ? undefined : model;
  },
  readServerMessage(data: Buffer): WebSocketServerEvent | undefined {
    if (!interesting(leadingType(data))) return undefined;
    const parsed = parseJsonBytes(data);
    const payload = parsed === NOT_JSON ? undefined : asRecord(parsed);
    const type = asNonEmptyString(payload?.['type']); // the top-level type, whatever the byte scan found
    return type === undefined ? undefined : eventOf(type, payload);
  },
  readOversizedServerMessage(head: Buffer, tail: Buffer): WebSocketServerEvent | undefined {
    const type = leadingType(head);
    if (type === undefined || !ENDED.has(type)) return type === STARTED ? { kind: 'response_started' } : undefined;
    // A terminal event whose `response.output` is huge: its usage object is the last `usage` member.
    const usage = openaiUsage(lastObjectValue(tail, USAGE_KEY));
    return usage === undefined ? { kind: 'response_ended' } : { kind: 'response_ended', usage };
  },
});
