import type { StreamEventAction, StreamReader, StreamReadState } from '../provider-adapter';
import { isObjectShaped, NOT_JSON, parseJsonBytes } from '../sse/json-bytes';
import type { SseEvent } from '../sse/sse-parser';
import { asNonEmptyString, asRecord } from '../usage';
import { anthropicUsage, mergeAnthropicUsage, type AnthropicUsageFields } from './anthropic-usage';

/**
 * Reads an Anthropic Messages stream: `message_start` (model, input and cache tokens),
 * `content_block_*` and `ping` (skipped after a shape check), `message_delta` (cumulative output
 * tokens, and in newer API versions input/cache fields too: merged, later non-null values win),
 * `message_stop` (complete) and `error` (e.g. `overloaded_error`). A stream cut short still yields
 * what `message_start` reported.
 */
export class AnthropicStreamReader implements StreamReader {
  /** Anthropic streams always report usage: nothing is injected, so nothing is hidden. */
  readonly rewrites = false;
  private readonly fields: AnthropicUsageFields = {};
  private sawUsage = false;
  private model: string | undefined;
  private complete = false;
  private malformed = 0;
  private streamError: string | undefined;

  onEvent(event: SseEvent): StreamEventAction {
    switch (event.type) {
      case 'message_start':
      case 'message_delta':
      case 'error':
        this.read(event.type, event.data);
        break;
      case 'message_stop':
        this.complete = true;
        if (!isObjectShaped(event.data)) this.malformed++;
        break;
      case '':
        // No `event:` line (not what Anthropic sends): fall back to the payload's own `type`.
        this.read(undefined, event.data);
        break;
      default:
        if (!isObjectShaped(event.data)) this.malformed++;
    }
    return 'forward';
  }

  private read(type: string | undefined, data: Buffer): void {
    const value = parseJsonBytes(data);
    const payload = value === NOT_JSON ? undefined : asRecord(value);
    if (!payload) {
      this.malformed++;
      return;
    }
    const kind = type ?? payload['type'];
    if (kind === 'message_start') {
      const message = asRecord(payload['message']);
      this.model = asNonEmptyString(message?.['model']) ?? this.model;
      this.sawUsage = mergeAnthropicUsage(this.fields, message?.['usage']) || this.sawUsage;
    } else if (kind === 'message_delta') {
      this.sawUsage = mergeAnthropicUsage(this.fields, payload['usage']) || this.sawUsage;
    } else if (kind === 'message_stop') {
      this.complete = true;
    } else if (kind === 'error') {
      this.streamError = asNonEmptyString(asRecord(payload['error'])?.['type']) ?? 'error';
    }
  }

  state(): StreamReadState {
    return {
      complete: this.complete,
      malformedEvents: this.malformed,
      ...(this.sawUsage ? { usage: anthropicUsage(this.fields) } : {}),
      ...(this.model ? { model: this.model } : {}),
      ...(this.streamError ? { streamError: this.streamError } : {}),
    };
  }
}
