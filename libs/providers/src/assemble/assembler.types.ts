import type { ProviderAdapter } from '../provider-adapter';
import type { SseEvent } from '../sse/sse-parser';

/**
 * Filters text as it is assembled (the gateway passes a redactor that holds back a small tail).
 * One instance serves one text field: `push` gets each delta in arrival order and returns the text
 * that may be stored now; `end` returns whatever it still held back and is called exactly once.
 */
export interface AssembledTextFilter {
  push(piece: string): string;
  end(): string;
}

/** Options of `createResponseAssembler`. */
export interface ResponseAssemblerOptions {
  /** The provider whose stream formats to expect (its `createStreamAssembly`). */
  adapter: ProviderAdapter;
  /**
   * Upper bound of the assembled output in UTF-16 chars (approx bytes); beyond it text is dropped and
   * `truncated` set. Default 65536 (`DEFAULT_ASSEMBLED_MAX_CHARS`).
   */
  maxChars?: number;
  /**
   * One filter per assembled text field (per choice content, per tool-call arguments, per content
   * block, per Responses output text). Default: identity.
   */
  createTextFilter?: () => AssembledTextFilter;
  /** Max SSE event size parsed by `createResponseAssembler` (default DEFAULT_MAX_EVENT_BYTES); a larger event is skipped. */
  maxEventBytes?: number;
}

/** What an assembler built from one response stream. */
export interface AssembledResponse {
  /** The assembled response as a JSON-serialisable object, shaped like the provider's non-streamed response. */
  body: Record<string, unknown>;
  /** True when text was dropped (maxChars, an oversized event), or the stream ended before its terminal event. */
  truncated: boolean;
  /** True once the terminal event was seen ([DONE] / message_stop / response.completed|incomplete|failed). */
  complete: boolean;
  /** Events whose data was not valid JSON or not of the expected shape, plus oversized events (skipped, never thrown). */
  malformedEvents: number;
}

/** Options of `ResponseAssembler.end`. */
export interface ResponseAssemblerEndOptions {
  /**
   * What to do with the text the filters of still-open fields hold back — fields that never
   * completed (no `finish_reason`, `content_block_stop` or `*.done` for them), typically because the
   * stream was cut short. Every such filter's `end()` is still called once. False (default): what it
   * returns is stored. True: it is discarded (a redactor's held-back tail may be the start of a
   * secret it could not recognise yet), and `truncated` is set when anything was discarded.
   */
  dropHeldText?: boolean;
}

/** An incremental, bounded assembler of one SSE response: feed copies of the chunks in order, then `end`. */
export interface ResponseAssembler {
  /** Reads one chunk (any split: mid-line, mid-UTF-8 character). Ignored after `end`. */
  push(chunk: Buffer): void;
  /**
   * Ends every open text filter and returns the assembled response. Later calls return the same
   * result (their options are ignored).
   */
  end(options?: ResponseAssemblerEndOptions): AssembledResponse;
}

/**
 * An assembler fed events another parser already read: the stream tap parses each response once and hands every
 * event both to the provider's stream reader (usage, model) and to this (`StreamTapOptions.assembler`).
 */
export interface StreamEventAssembler {
  /** Reads one complete event. Ignored after `end`. */
  onEvent(event: SseEvent): void;
  /** An event over the parser's size cap, skipped (only its type may be known): counted as malformed. */
  onOversizedEvent(event: SseEvent | undefined): void;
  /** As `ResponseAssembler.end`. */
  end(options?: ResponseAssemblerEndOptions): AssembledResponse;
}
