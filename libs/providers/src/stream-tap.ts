import { joinChunks, systemClock, type Clock } from '@navplane/core';
import type { StreamEventAssembler } from './assemble/assembler.types';
import type { ProviderAdapter, StreamEventAction, StreamReader } from './provider-adapter';
import { keyBytes, removeNullMember } from './sse/json-bytes';
import { DEFAULT_MAX_EVENT_BYTES, SseParser, type SseEvent } from './sse/sse-parser';
import type { Usage } from './usage';

/** Options of `createStreamTap`. */
export interface StreamTapOptions {
  /** The provider whose stream this is (its `createStreamReader`). */
  readonly adapter: ProviderAdapter;
  /** From `prepareRequest`: hide the usage reporting the gateway injected (default false; the adapter's reader decides). */
  readonly stripUsageChunk?: boolean;
  /**
   * Also hand every event to this assembler (body capture: `createStreamEventAssembler`), so one parse of the stream
   * feeds both the usage reader and the assembled response.
   */
  readonly assembler?: StreamEventAssembler;
  /** Largest event kept for parsing; a larger one is skipped and counted as malformed (default 1 MiB). */
  readonly maxEventBytes?: number;
  /** Time source of `firstChunkAt` (default: the system clock). */
  readonly clock?: Clock;
}

/** What a tap learned from one response stream. */
export interface StreamTapResult {
  readonly usage?: Usage;
  readonly model?: string;
  /** True once the terminal event was seen: `[DONE]`, `message_stop`, or a Responses API `response.completed`/`incomplete`/`failed`. */
  readonly complete: boolean;
  /** Epoch milliseconds of the first non-empty chunk (time to first byte). */
  readonly firstChunkAt?: number;
  /** Events with data that is not the provider's JSON, plus events skipped for size. */
  readonly malformedEvents: number;
  /** The provider's error type/code when the stream carried an error event. */
  readonly streamError?: string;
}

/** A per-response SSE tap: feed every upstream chunk in order, forward what it returns, in order. */
export interface StreamTap {
  /** Reads a chunk; returns the bytes to forward now. */
  push(chunk: Buffer): Buffer[];
  /** At end of stream (or abort): returns any bytes still held. */
  end(): Buffer[];
  /** Usage and status so far; callable at any time. */
  result(): StreamTapResult;
}

const USAGE_KEY = keyBytes('usage');
const LF = 0x0a;

/**
 * Makes a tap for one SSE response. The stream is parsed once; each event goes to the adapter's reader (usage, model,
 * status) and, when given, to the `assembler`. Unless the reader rewrites, every chunk is forwarded at once and
 * unchanged (the very Buffer passed in) while the side parse reads it. A rewriting reader (OpenAI with
 * `stripUsageChunk`) gets whole events forwarded as soon as they complete, byte for byte, except what the injected
 * `include_usage` added: the usage-only chunk is dropped and each chunk's `"usage":null` member removed, so the
 * client gets exactly the stream it asked for.
 */
export function createStreamTap(options: StreamTapOptions): StreamTap {
  const reader = options.adapter.createStreamReader({ stripUsageChunk: options.stripUsageChunk ?? false });
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const clock = options.clock ?? systemClock;
  const assembler = options.assembler;
  return reader.rewrites
    ? new RewritingTap(reader, assembler, maxEventBytes, clock)
    : new PassThroughTap(reader, assembler, maxEventBytes, clock);
}

abstract class BaseTap implements StreamTap {
  protected oversizedEvents = 0;
  private firstChunkAt: number | undefined;

  constructor(
    protected readonly reader: StreamReader,
    private readonly assembler: StreamEventAssembler | undefined,
    private readonly clock: Clock,
  ) {}

  abstract push(chunk: Buffer): Buffer[];
  abstract end(): Buffer[];

  /** One parsed event, to the reader and the assembler; returns the reader's action. */
  protected onEvent(event: SseEvent): StreamEventAction {
    this.assembler?.onEvent(event);
    return this.reader.onEvent(event);
  }

  /** An event over the cap is counted as malformed; the reader may still read usage from its tail. */
  protected onOversized(event: SseEvent | undefined): void {
    this.oversizedEvents++;
    this.assembler?.onOversizedEvent(event);
    if (event) this.reader.onOversizedEvent?.(event);
  }

  protected noteChunk(chunk: Buffer): void {
    if (this.firstChunkAt === undefined && chunk.length > 0) this.firstChunkAt = this.clock.nowMs();
  }

  result(): StreamTapResult {
    const state = this.reader.state();
    return {
      ...state,
      malformedEvents: state.malformedEvents + this.oversizedEvents,
      ...(this.firstChunkAt === undefined ? {} : { firstChunkAt: this.firstChunkAt }),
    };
  }
}

/** Forwards every chunk untouched and immediately; parses a side view with bounded memory. */
class PassThroughTap extends BaseTap {
  private readonly parser: SseParser;

  constructor(reader: StreamReader, assembler: StreamEventAssembler | undefined, maxEventBytes: number, clock: Clock) {
    super(reader, assembler, clock);
    this.parser = new SseParser((event, _end, oversized) => this.onBlock(event, oversized), maxEventBytes);
  }

  private onBlock(event: SseEvent | undefined, oversized: boolean): void {
    if (oversized) this.onOversized(event);
    else if (event) this.onEvent(event);
  }

  push(chunk: Buffer): Buffer[] {
    this.noteChunk(chunk);
    this.parser.push(chunk);
    return [chunk];
  }

  end(): Buffer[] {
    return [];
  }
}

/**
 * Holds the bytes of the event in progress and forwards each event when its blank line arrives,
 * as views into the received chunks (no copy) unless the event itself is rewritten.
 */
class RewritingTap extends BaseTap {
  private readonly parser: SseParser;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** An event outgrew the cap: its bytes are forwarded as they come until it ends. */
  private passingOversized = false;
  private lastBlockDropped = false;
  private chunk: Buffer = Buffer.alloc(0);
  private blockStart = 0;
  private out: Buffer[] = [];

  constructor(
    reader: StreamReader,
    assembler: StreamEventAssembler | undefined,
    private readonly maxEventBytes: number,
    clock: Clock,
  ) {
    super(reader, assembler, clock);
    this.parser = new SseParser((event, end, oversized) => this.onBlock(event, end, oversized), maxEventBytes);
  }

  push(chunk: Buffer): Buffer[] {
    this.noteChunk(chunk);
    this.out = [];
    this.chunk = chunk;
    this.blockStart = 0;
    // The LF of a CRLF split from its CR belongs to the block the CR closed: same fate as that block.
    if (chunk.length > 0 && chunk[0] === LF && this.parser.closedBlockAwaitsLF) {
      if (!this.lastBlockDropped) this.out.push(chunk.subarray(0, 1));
      this.blockStart = 1;
    }
    this.parser.push(chunk);
    if (this.blockStart < chunk.length) this.hold(chunk.subarray(this.blockStart));
    const out = coalesce(this.out);
    this.out = [];
    return out;
  }

  private hold(piece: Buffer): void {
    if (this.passingOversized) {
      this.out.push(piece);
      return;
    }
    this.held.push(piece);
    this.heldBytes += piece.length;
    if (this.heldBytes > this.maxEventBytes) {
      // Too big to be the usage chunk; stop holding so memory stays bounded.
      this.out.push(...this.held);
      this.held = [];
      this.heldBytes = 0;
      this.passingOversized = true;
    }
  }

  private onBlock(event: SseEvent | undefined, end: number, oversized: boolean): void {
    const piece = this.chunk.subarray(this.blockStart, end);
    this.blockStart = end;
    let action: StreamEventAction = 'forward';
    if (oversized) this.onOversized(event);
    else if (event) action = this.onEvent(event);
    if (this.passingOversized) {
      // Earlier bytes of this block are already gone; it can only be forwarded.
      this.out.push(piece);
      this.passingOversized = false;
      this.lastBlockDropped = false;
      return;
    }
    const block = this.held.length === 0 ? [piece] : [...this.held, piece];
    this.held = [];
    this.heldBytes = 0;
    this.lastBlockDropped = action === 'drop';
    if (action === 'forward') this.out.push(...block);
    else if (action === 'forward-without-null-usage') {
      this.out.push(removeNullMember(joinChunks(block), USAGE_KEY));
    }
  }

  end(): Buffer[] {
    // An unfinished event is forwarded as received: the client sees what the upstream sent.
    const rest = this.held;
    this.held = [];
    this.heldBytes = 0;
    return coalesce(rest);
  }
}

/** Merges neighbouring views of the same memory into one Buffer (fewer socket writes, no copy). */
function coalesce(pieces: Buffer[]): Buffer[] {
  if (pieces.length < 2) return pieces.filter((p) => p.length > 0);
  const out: Buffer[] = [];
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset) {
      out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
    } else {
      out.push(piece);
    }
  }
  return out;
}
