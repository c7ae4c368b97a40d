import type { StreamEventAction, StreamReader, StreamReadState } from '../provider-adapter';
import {
  findKeyValue,
  isObjectShaped,
  keyBytes,
  lastObjectValue,
  NOT_JSON,
  parseJsonBytes,
  startsWithKey,
  stringLiteralEnd,
} from '../sse/json-bytes';
import type { SseEvent } from '../sse/sse-parser';
import { asNonEmptyString, asRecord, type Usage } from '../usage';
import { geminiUsage } from './gemini-usage';

const USAGE_KEY = keyBytes('usageMetadata');
const MODEL_KEY = keyBytes('modelVersion');
const FINISH_KEY = keyBytes('finishReason');
const BLOCK_KEY = keyBytes('blockReason');
const ERROR_KEY = keyBytes('error');

/**
 * Reads a `:streamGenerateContent?alt=sse` stream: unnamed `data:` events, each a whole `GenerateContentResponse`.
 * Every event may carry `usageMetadata` (cumulative: the last one is the total) and `modelVersion`; a candidate's
 * `finishReason` (or a prompt `blockReason`) ends the answer, and an `{"error":…}` event reports a failure. Gemini
 * streams have no `[DONE]`. Only the small `usageMetadata` object is parsed, found with a byte search; the
 * content of an event is never decoded here (the assembler, fed the same parsed events, reads it when capturing).
 */
export class GeminiStreamReader implements StreamReader {
  /** Nothing is injected into Gemini requests: every chunk is forwarded the moment it arrives. */
  readonly rewrites = false;
  private usage: Usage | undefined;
  private model: string | undefined;
  private complete = false;
  private malformed = 0;
  private streamError: string | undefined;

  onEvent(event: SseEvent): StreamEventAction {
    const { data } = event;
    if (!isObjectShaped(data)) {
      this.malformed++;
      return 'forward';
    }
    if (startsWithKey(data, ERROR_KEY)) {
      this.readError(data);
      return 'forward';
    }
    this.model ??= stringValue(data, MODEL_KEY);
    const usage = geminiUsage(lastObjectValue(data, USAGE_KEY));
    if (usage) this.usage = usage;
    if (findKeyValue(data, FINISH_KEY) !== -1 || findKeyValue(data, BLOCK_KEY) !== -1) this.complete = true;
    return 'forward';
  }

  private readError(data: Buffer): void {
    const value = parseJsonBytes(data);
    const error = value === NOT_JSON ? undefined : asRecord(asRecord(value)?.['error']);
    if (!error) {
      this.malformed++;
      return;
    }
    // Google errors: `{code: 429, message, status: 'RESOURCE_EXHAUSTED'}`.
    this.streamError = asNonEmptyString(error['status']) ?? (typeof error['code'] === 'number' ? String(error['code']) : 'error');
  }

  state(): StreamReadState {
    return {
      complete: this.complete,
      malformedEvents: this.malformed,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.model ? { model: this.model } : {}),
      ...(this.streamError ? { streamError: this.streamError } : {}),
    };
  }
}

/** The string value of the first `key` member of `data`, or undefined. */
function stringValue(data: Buffer, key: Buffer): string | undefined {
  const at = findKeyValue(data, key);
  if (at === -1) return undefined;
  const end = stringLiteralEnd(data, at);
  if (end === -1) return undefined;
  const value = parseJsonBytes(data.subarray(at, end));
  return value === NOT_JSON ? undefined : asNonEmptyString(value);
}
