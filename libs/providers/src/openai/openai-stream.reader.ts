import type { StreamEventAction, StreamReader, StreamReaderOptions, StreamReadState } from '../provider-adapter';
import {
  isDoneMarker,
  isObjectShaped,
  keyBytes,
  lastObjectValue,
  lastValueIsObject,
  NOT_JSON,
  parseJsonBytes,
  startsWithKey,
} from '../sse/json-bytes';
import type { SseEvent } from '../sse/sse-parser';
import { asNonEmptyString, asRecord, type Usage } from '../usage';
import { openaiUsage } from './openai-usage';

const USAGE_KEY = keyBytes('usage');
const ERROR_KEY = keyBytes('error');

/** Responses API events that end a stream; each carries the final `response` (with usage). */
const TERMINAL_RESPONSE_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads OpenAI SSE streams of every shape:
 * - Chat Completions / legacy completions: unnamed `data:` chunks, usage in the usage-only chunk
 *   (`choices: []`) when include_usage is on, then `data: [DONE]`.
 * - Responses API: named events (`event: response.output_text.delta` …); usage and the final model in
 *   the terminal `response.completed` / `response.incomplete` / `response.failed`; no `[DONE]`.
 * - Other named streams (images, transcription): usage from any event with a `usage` object.
 * Only events that can carry what we need are JSON-parsed (found with a byte search); the rest get a
 * cheap shape check so broken events are still counted.
 */
export class OpenAIStreamReader implements StreamReader {
  private usage: Usage | undefined;
  private model: string | undefined;
  private complete = false;
  private malformed = 0;
  private streamError: string | undefined;
  private sawJson = false;
  private readonly strip: boolean;
  /** Only a stream whose usage the gateway injected is rewritten (the usage-only chunk and `"usage":null` hidden). */
  readonly rewrites: boolean;

  constructor(options: StreamReaderOptions = {}) {
    this.strip = options.stripUsageChunk ?? false;
    this.rewrites = this.strip;
  }

  onEvent(event: SseEvent): StreamEventAction {
    const { data } = event;
    if (isDoneMarker(data)) {
      this.complete = true;
      return 'forward';
    }
    return event.type === '' ? this.onChunk(data) : this.onNamedEvent(event.type, data);
  }

  private onChunk(data: Buffer): StreamEventAction {
    // OpenAI sends the error object as the first member and usage as the last, so both checks look
    // at a few bytes of an ordinary chunk; only the first chunk (model), the usage chunk and errors
    // are parsed. Content chunks get a shape check: a truncated one is still counted as malformed.
    const wantsParse = !this.sawJson || lastValueIsObject(data, USAGE_KEY) || startsWithKey(data, ERROR_KEY);
    if (!wantsParse) {
      if (!isObjectShaped(data)) this.malformed++;
      return this.strip ? 'forward-without-null-usage' : 'forward';
    }
    const chunk = this.parse(data);
    if (!chunk) return 'forward';
    this.model ??= asNonEmptyString(chunk['model']);
    const error = asRecord(chunk['error']);
    if (error) this.streamError = errorCode(error);
    const usage = openaiUsage(chunk['usage']);
    if (usage) {
      this.usage = usage;
      this.model = asNonEmptyString(chunk['model']) ?? this.model;
      const choices = chunk['choices'];
      // The usage-only chunk the gateway caused: the client did not ask for it, so it never sees it.
      if (this.strip && Array.isArray(choices) && choices.length === 0) return 'drop';
      return 'forward';
    }
    return this.strip ? 'forward-without-null-usage' : 'forward';
  }

  private onNamedEvent(type: string, data: Buffer): StreamEventAction {
    if (TERMINAL_RESPONSE_EVENTS.has(type)) {
      this.complete = true;
      const payload = this.parse(data);
      const response = asRecord(payload?.['response']);
      if (response) {
        this.model = asNonEmptyString(response['model']) ?? this.model;
        this.usage = openaiUsage(response['usage']) ?? this.usage;
        if (type === 'response.failed') this.streamError = errorCode(asRecord(response['error'])) ?? 'response.failed';
      }
      return 'forward';
    }
    if (type === 'error') {
      const payload = this.parse(data);
      if (payload) this.streamError = errorCode(asRecord(payload['error']) ?? payload) ?? 'error';
      return 'forward';
    }
    // Other response.* events carry no top-level usage; other named streams (images, transcription)
    // may put one in any event.
    if (!this.sawJson || (!type.startsWith('response.') && lastValueIsObject(data, USAGE_KEY))) {
      const payload = this.parse(data);
      if (payload) {
        this.model ??= asNonEmptyString(asRecord(payload['response'])?.['model']) ?? asNonEmptyString(payload['model']);
        this.usage = openaiUsage(payload['usage']) ?? this.usage;
      }
      return 'forward';
    }
    if (!isObjectShaped(data)) this.malformed++;
    return 'forward';
  }

  /**
   * A terminal Responses event too large to keep (its `response.output` can hold generated images):
   * the stream still ended, and the usage object sits at the end of the event.
   */
  onOversizedEvent(event: SseEvent): void {
    if (!TERMINAL_RESPONSE_EVENTS.has(event.type)) return;
    this.complete = true;
    this.usage = openaiUsage(lastObjectValue(event.data, USAGE_KEY)) ?? this.usage;
  }

  private parse(data: Buffer): Record<string, unknown> | undefined {
    const value = parseJsonBytes(data);
    const record = value === NOT_JSON ? undefined : asRecord(value);
    if (!record) {
      this.malformed++;
      return undefined;
    }
    this.sawJson = true;
    return record;
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

function errorCode(error: Record<string, unknown> | undefined): string | undefined {
  return asNonEmptyString(error?.['code']) ?? asNonEmptyString(error?.['type']);
}
