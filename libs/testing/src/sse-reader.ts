import { bodyChunks } from './body-chunks';

/** One parsed server-sent event. */
export interface ParsedSseEvent {
  /** The `event:` field, absent when the event had none. */
  readonly event?: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
}

/** A parsed event with the time its last byte arrived (`performance.now()` milliseconds). */
export interface TimedSseEvent extends ParsedSseEvent {
  readonly receivedAt: number;
}

/** Incremental SSE parser (per the WHATWG rules the provider SDKs follow): feed text, get whole events. */
export class SseParser {
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];

  /** Consumes `chunk` and returns the events it completed. */
  push(chunk: string): ParsedSseEvent[] {
    this.buffer += chunk;
    const out: ParsedSseEvent[] = [];
    let newline = this.buffer.search(/\r\n|\r|\n/);
    // A trailing '\r' may be half of a '\r\n' still in flight: wait for the next chunk.
    while (newline !== -1 && !(this.buffer[newline] === '\r' && newline === this.buffer.length - 1)) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      const parsed = this.line(line);
      if (parsed) out.push(parsed);
      newline = this.buffer.search(/\r\n|\r|\n/);
    }
    return out;
  }

  private line(line: string): ParsedSseEvent | undefined {
    if (line === '') {
      if (this.event === undefined && this.data.length === 0) return undefined;
      const parsed: ParsedSseEvent =
        this.event === undefined ? { data: this.data.join('\n') } : { event: this.event, data: this.data.join('\n') };
      this.event = undefined;
      this.data = [];
      return parsed;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}

/** Parses a complete SSE body into events. */
export function parseSse(text: string): ParsedSseEvent[] {
  return new SseParser().push(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Reads a fetch `Response` body to the end, stamping each event with its arrival time, so tests can
 * check chunk-by-chunk delivery. Rejects if the body errors (e.g. a reset mid-stream); `onEvent`
 * sees the events that arrived before that.
 */
export async function readSseEvents(response: Response, onEvent?: (event: TimedSseEvent) => void): Promise<TimedSseEvent[]> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const events: TimedSseEvent[] = [];
  for await (const bytes of bodyChunks(response)) {
    const receivedAt = performance.now();
    for (const event of parser.push(decoder.decode(bytes, { stream: true }))) {
      const timed = { ...event, receivedAt };
      events.push(timed);
      onEvent?.(timed);
    }
  }
  return events;
}
