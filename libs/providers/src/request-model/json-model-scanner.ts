import type { RequestModelReader } from './request-model-reader';

/** Longest `model` value (in raw JSON bytes, escapes included) taken as a model name; longer ones are ignored. */
export const MAX_MODEL_BYTES = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const MODEL_KEY = Buffer.from('model', 'latin1');

/** What the string being read is, as far as the scanner cares. */
const enum Role {
  /** Anything else: skipped. */
  Other,
  /** A key of the top-level object: kept while it may still be `model`. */
  TopKey,
  /** The value of the top-level `model` member: kept up to MAX_MODEL_BYTES. */
  ModelValue,
}

/**
 * Reads the top-level `"model"` string of a JSON object body chunk by chunk, as the bytes pass: the last one, as a
 * JSON parser keeps it (`{"input":{"model":"x"},"model":"y"}` → `y`). Memory is bounded (the current key, at most
 * 5 bytes, and a value of at most MAX_MODEL_BYTES); strings are skipped with `indexOf`, so a large body costs one
 * pass over its bytes outside strings and a native search inside them. It never rejects a body: on anything that
 * is not a JSON object it stops and reports nothing.
 */
export class JsonModelScanner implements RequestModelReader {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #role = Role.Other;
  /** Top level: the next string is a key (after `{` or `,`), not a value (after `:`). */
  #expectKey = false;
  /** The last top-level key read was `model`: the next value is the model. */
  #modelValueNext = false;
  #captured: Buffer[] = [];
  #capturedBytes = 0;
  #overflow = false;
  #stopped = false;
  #model: string | undefined;

  push(chunk: Buffer): void {
    if (this.#stopped) return;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#inString) {
        i = this.#readString(chunk, i);
        continue;
      }
      // Outside strings: structure, whitespace, numbers and literals, byte by byte (they are short in real bodies).
      const byte = chunk[i] as number;
      i += 1;
      if (byte === QUOTE) {
        this.#startString();
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (this.#depth === 0 && byte !== OPEN_OBJECT) return this.#stop();
        this.#depth += 1;
        if (this.#depth === 1) this.#expectKey = true;
        else if (this.#depth === 2) this.#modelValueNext = false; // `"model": {…}` is not a name
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        this.#depth -= 1;
        if (this.#depth <= 0) return this.#stop(); // the top-level object ended
      } else if (this.#depth === 1) {
        if (byte === COMMA) {
          this.#expectKey = true;
          this.#modelValueNext = false;
        } else if (byte === COLON) {
          this.#expectKey = false;
        }
      } else if (this.#depth === 0 && byte > 0x20) {
        return this.#stop(); // not an object
      }
    }
  }

  /**
   * Reads string content from `from`: jumps to the next quote with `indexOf` and counts the backslashes right before
   * it (an odd run escapes it), so only quotes and the backslashes next to them are looked at one by one. Returns
   * where scanning goes on: after the closing quote, or the chunk's end (an odd run of backslashes there carries
   * over as `#escaped`).
   */
  #readString(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let start = from;
    if (this.#escaped) {
      this.#escaped = false;
      start += 1; // the escaped byte: whatever it is, it does not end the string
    }
    let search = start;
    for (;;) {
      const quote = search < n ? chunk.indexOf(QUOTE, search) : -1;
      if (quote === -1) {
        this.#escaped = oddBackslashesBefore(chunk, n, start);
        this.#capture(chunk, from, n);
        return n;
      }
      if (oddBackslashesBefore(chunk, quote, start)) {
        search = quote + 1; // an escaped quote: part of the string
        continue;
      }
      this.#capture(chunk, from, quote);
      this.#endString();
      return quote + 1;
    }
  }

  model(): string | undefined {
    return this.#model;
  }

  #startString(): void {
    this.#inString = true;
    if (this.#depth !== 1) this.#role = Role.Other;
    else if (this.#expectKey) this.#role = Role.TopKey;
    else this.#role = this.#modelValueNext ? Role.ModelValue : Role.Other;
    if (this.#role === Role.Other) return;
    this.#captured = [];
    this.#capturedBytes = 0;
    this.#overflow = false;
  }

  #capture(chunk: Buffer, from: number, to: number): void {
    if (this.#role === Role.Other || this.#overflow || to <= from) return;
    const limit = this.#role === Role.TopKey ? MODEL_KEY.length : MAX_MODEL_BYTES;
    if (this.#capturedBytes + (to - from) > limit) {
      this.#overflow = true;
      this.#captured = [];
      return;
    }
    // A copy: the chunk may be reused by whoever owns it once this call returns.
    this.#captured.push(Buffer.from(chunk.subarray(from, to)));
    this.#capturedBytes += to - from;
  }

  #endString(): void {
    this.#inString = false;
    if (this.#role === Role.Other) return;
    const raw = this.#overflow ? undefined : Buffer.concat(this.#captured, this.#capturedBytes);
    if (this.#role === Role.TopKey) {
      this.#modelValueNext = raw !== undefined && raw.equals(MODEL_KEY);
    } else if (this.#role === Role.ModelValue) {
      this.#modelValueNext = false;
      const value = raw === undefined ? undefined : decodeJsonString(raw);
      if (value !== undefined && value !== '') this.#model = value;
    }
    this.#role = Role.Other;
    this.#captured = [];
  }

  #stop(): void {
    this.#stopped = true;
    this.#captured = [];
  }
}

/** True when the backslashes right before `end` (none before `start`) are an odd run: the byte at `end` is escaped. */
function oddBackslashesBefore(chunk: Buffer, end: number, start: number): boolean {
  let at = end - 1;
  while (at >= start && chunk[at] === BACKSLASH) at -= 1;
  return (end - 1 - at) % 2 === 1;
}

/** The string a JSON string literal's raw content (between the quotes) stands for, or undefined when invalid. */
function decodeJsonString(raw: Buffer): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${raw.toString('utf8')}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
