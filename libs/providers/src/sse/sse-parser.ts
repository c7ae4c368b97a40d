// Incremental Server-Sent Events framing per the WHATWG HTML spec ("Interpreting an event stream"),
// working on bytes: line terminators (CRLF, LF, CR) are ASCII and never occur inside a multi-byte
// UTF-8 sequence, so splitting bytes at them is safe and text is decoded only for whole lines that
// matter. Network chunks may split anything, a CRLF included; the parser keeps only the unfinished
// line and the data lines of the current event, and gives up on an event larger than the cap.

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = Buffer.from('\n', 'latin1');

/** One dispatched event: its `event:` type ('' when absent) and its data lines joined with `\n`. */
export interface SseEvent {
  readonly type: string;
  /** Valid only during the callback: it may be a view into the caller's chunk. */
  readonly data: Buffer;
}

/**
 * Called at every blank line, i.e. at the end of every event block, whether or not it dispatched an
 * event (a comment-only block dispatches none). `end` is the offset in the current chunk just past
 * the blank line. `oversized` says the block went over the size cap: it was not parsed, and `event`
 * then carries only the block's last bytes (about 64 KiB of raw lines, `data: ` prefixes included),
 * enough to find a trailing `usage` object.
 */
export type SseBlockHandler = (event: SseEvent | undefined, end: number, oversized: boolean) => void;

/** The default cap on one event block: 1 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** How much of an oversized block's end is kept. */
const OVERSIZED_TAIL_BYTES = 64 * 1024;

/** An incremental SSE parser; feed it chunks in order with `push`. */
export class SseParser {
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  private discardingLine = false;
  private pendingCR = false;
  private crClosedBlock = false;
  private firstLine = true;
  private eventType = '';
  private dataLines: Buffer[] = [];
  private blockBytes = 0;
  private oversized = false;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  /** `maxEventBytes` defaults to 1 MiB. */
  constructor(
    private readonly onBlock: SseBlockHandler,
    private readonly maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
  ) {}

  /**
   * True when the last chunk ended with the CR of the blank line that closed a block: an LF at the
   * start of the next chunk is the rest of that terminator and belongs to the closed block.
   */
  get closedBlockAwaitsLF(): boolean {
    return this.pendingCR && this.crClosedBlock;
  }

  /** Parses one chunk; calls the block handler for every block it completes. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    if (this.pendingCR && n > 0) {
      this.pendingCR = false;
      if (chunk[0] === LF) {
        i = 1;
        if (!this.crClosedBlock) this.blockBytes++;
      }
    }
    // Next LF / CR positions, searched natively and reused until passed (-2: not searched yet).
    let nextLF = -2;
    let nextCR = -2;
    while (i < n) {
      if (nextLF !== -1 && nextLF < i) nextLF = chunk.indexOf(LF, i);
      if (nextCR !== -1 && nextCR < i) nextCR = chunk.indexOf(CR, i);
      let end: number;
      if (nextLF === -1) {
        if (nextCR === -1) {
          this.appendPartialLine(chunk, i, n);
          return;
        }
        end = nextCR;
      } else {
        end = nextCR === -1 || nextLF < nextCR ? nextLF : nextCR;
      }
      let next = end + 1;
      let crAtEnd = false;
      if (chunk[end] === CR) {
        if (next < n) {
          if (chunk[next] === LF) next++;
        } else {
          crAtEnd = true;
        }
      }
      const blank = end === i && this.lineLength === 0 && !this.discardingLine;
      this.blockBytes += next - i;
      if (blank) {
        this.firstLine = false;
        this.dispatch(next);
      } else {
        this.completeLine(chunk, i, end);
      }
      if (crAtEnd) {
        this.pendingCR = true;
        this.crClosedBlock = blank;
      }
      i = next;
    }
  }

  private appendPartialLine(chunk: Buffer, start: number, end: number): void {
    this.blockBytes += end - start;
    const piece = chunk.subarray(start, end);
    if (this.oversized) {
      this.keepTail(piece);
      this.discardingLine = true; // the line has content even though lineParts stays empty
      return;
    }
    this.lineParts.push(piece);
    this.lineLength += end - start;
    if (this.blockBytes > this.maxEventBytes) {
      this.markOversized();
      this.discardingLine = true;
    }
  }

  private completeLine(chunk: Buffer, start: number, end: number): void {
    const piece = chunk.subarray(start, end);
    if (!this.oversized && this.blockBytes > this.maxEventBytes) {
      this.lineParts.push(piece);
      this.markOversized();
    } else if (this.oversized) {
      this.keepTail(piece);
    } else {
      this.processLine(this.lineParts.length === 0 ? piece : Buffer.concat([...this.lineParts, piece]));
    }
    if (this.oversized) this.keepTail(NEWLINE);
    this.lineParts = [];
    this.lineLength = 0;
    this.discardingLine = false;
  }

  private processLine(raw: Buffer): void {
    let line = raw;
    if (this.firstLine) {
      this.firstLine = false;
      // A UTF-8 byte order mark at the very start of the stream is ignored (WHATWG).
      if (line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
      if (line.length === 0) return;
    }
    if (line[0] === COLON) return; // comment
    // Field names are a few bytes: a JS scan beats a native indexOf call here.
    let colon = 0;
    while (colon < line.length && line[colon] !== COLON) colon++;
    if (colon === line.length) colon = -1;
    const nameEnd = colon === -1 ? line.length : colon;
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (line[valueStart] === SPACE) valueStart++;
    if (nameEnd === 4 && line[0] === 0x64 && line[1] === 0x61 && line[2] === 0x74 && line[3] === 0x61) {
      this.dataLines.push(line.subarray(valueStart)); // "data"
    } else if (nameEnd === 5 && line[0] === 0x65 && line[1] === 0x76 && line[2] === 0x65 && line[3] === 0x6e && line[4] === 0x74) {
      this.eventType = line.toString('utf8', valueStart); // "event"
    }
    // `id`, `retry` and unknown fields do not matter for usage.
  }

  /** Past the cap: forget the parsed lines, keep only a window of the block's last bytes. */
  private markOversized(): void {
    this.oversized = true;
    this.dataLines = [];
    for (const part of this.lineParts) this.keepTail(part);
    this.lineParts = [];
    this.lineLength = 0;
  }

  private keepTail(piece: Buffer): void {
    if (piece.length === 0) return;
    this.tail.push(piece);
    this.tailBytes += piece.length;
    // Drop the oldest pieces while the rest still covers the window (the newest piece always stays).
    while (this.tail.length > 1) {
      const oldest = this.tail[0];
      if (oldest === undefined || this.tailBytes - oldest.length < OVERSIZED_TAIL_BYTES) break;
      this.tailBytes -= oldest.length;
      this.tail.shift();
    }
  }

  private dispatch(end: number): void {
    const { oversized, dataLines, eventType, tail } = this;
    this.eventType = '';
    this.dataLines = [];
    this.blockBytes = 0;
    this.oversized = false;
    this.tail = [];
    this.tailBytes = 0;
    if (oversized) {
      this.onBlock({ type: eventType, data: Buffer.concat(tail) }, end, true);
      return;
    }
    const firstLine = dataLines[0];
    if (firstLine === undefined) {
      this.onBlock(undefined, end, false);
      return;
    }
    const data = dataLines.length === 1 ? firstLine : joinLines(dataLines);
    this.onBlock({ type: eventType, data }, end, false);
  }
}

function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const line of lines) {
    if (parts.length > 0) parts.push(NEWLINE);
    parts.push(line);
  }
  return Buffer.concat(parts);
}
