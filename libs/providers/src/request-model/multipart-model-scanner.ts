import { MAX_MODEL_BYTES } from './json-model-scanner';
import type { RequestModelReader } from './request-model-reader';

/** Most bytes of one part's header block that are read; a longer block ends the scan (nothing more is read). */
export const MAX_PART_HEADER_BYTES = 8 * 1024;

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CLOSE = 0x2d; // '-': a delimiter followed by `--` is the close delimiter
// RFC 2046: 1 to 70 characters from bchars; quoted when it holds a space or a special character.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const NAME_PARAM = /;\s*name\s*=\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^;\s"]+))/i;

/** The boundary of a `multipart/form-data` Content-Type, or undefined when it is not one or has none that is valid. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [media = '', ...params] = contentType.split(';');
  if (media.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return BOUNDARY.test(value) ? value : undefined;
  }
  return undefined;
}

const enum State {
  /** Looking for the next delimiter; the bytes passed over are the current part's content (or the preamble). */
  Content,
  /** After a delimiter: reading the part's header block (or `--`, the close delimiter). */
  Headers,
  /** After the close delimiter, or the scan gave up. */
  Done,
}

/**
 * Reads the `model` field of a `multipart/form-data` body chunk by chunk, as the bytes pass (the last one, as for
 * JSON): delimiters are found with a native `indexOf` over each chunk, and across chunk ends through a window of at
 * most two delimiter lengths. Memory is bounded — that window, one part's header block (MAX_PART_HEADER_BYTES) and a
 * `model` value (MAX_MODEL_BYTES) — whatever the size of the files around it; file content is passed over, never
 * kept. Any part whose header names it `model` (`Content-Disposition: form-data; name="model"`) counts; a value
 * longer than MAX_MODEL_BYTES is not a model name and is ignored.
 */
export class MultipartModelScanner implements RequestModelReader {
  readonly #delimiter: Buffer;
  #state = State.Content;
  /** Content bytes at the end of the previous chunk that may begin a delimiter (fewer than its length). */
  #tail: Buffer;
  /** The header block read so far (allocated at the first part, MAX_PART_HEADER_BYTES once). */
  #header: Buffer | undefined;
  #headerBytes = 0;
  /** The current part is the `model` field: its content is kept (bounded). */
  #capturing = false;
  #captured: Buffer[] = [];
  #capturedBytes = 0;
  #overflow = false;
  #model: string | undefined;

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter has no CRLF before it: start as if one had just been seen.
    this.#tail = Buffer.from('\r\n', 'latin1');
  }

  push(chunk: Buffer): void {
    let data = chunk;
    let at = 0;
    const length = this.#delimiter.length;
    if (this.#state === State.Content && this.#tail.length > 0) {
      if (this.#tail.length + chunk.length < 2 * length) {
        // A small chunk: join it to the tail (both are short) and scan them together.
        data = Buffer.concat([this.#tail, chunk]);
        this.#tail = Buffer.alloc(0);
      } else {
        // A delimiter that starts in the tail ends within the chunk's first length - 1 bytes.
        const tail = this.#tail;
        this.#tail = Buffer.alloc(0);
        const found = Buffer.concat([tail, chunk.subarray(0, length - 1)]).indexOf(this.#delimiter);
        if (found !== -1 && found < tail.length) {
          this.#content(tail, 0, found);
          this.#delimiterSeen();
          at = found + length - tail.length;
        } else {
          this.#content(tail, 0, tail.length);
        }
      }
    }
    while (at < data.length && this.#state !== State.Done) {
      at = this.#state === State.Content ? this.#scanContent(data, at) : this.#readHeaders(data, at);
    }
  }

  model(): string | undefined {
    return this.#model;
  }

  /** Content up to the next delimiter; returns where scanning goes on (the chunk's end when there is none). */
  #scanContent(data: Buffer, from: number): number {
    const found = data.indexOf(this.#delimiter, from);
    if (found !== -1) {
      this.#content(data, from, found);
      this.#delimiterSeen();
      return found + this.#delimiter.length;
    }
    // Keep what may be the start of a delimiter split across chunks: a copy, since the chunk is not ours.
    const keep = Math.min(this.#delimiter.length - 1, data.length - from);
    this.#content(data, from, data.length - keep);
    this.#tail = Buffer.from(data.subarray(data.length - keep));
    return data.length;
  }

  /** The header block after a delimiter, up to its blank line; returns where the part's content starts. */
  #readHeaders(data: Buffer, from: number): number {
    this.#header ??= Buffer.allocUnsafe(MAX_PART_HEADER_BYTES);
    const before = this.#headerBytes;
    const copied = data.copy(this.#header, before, from, Math.min(data.length, from + MAX_PART_HEADER_BYTES - before));
    this.#headerBytes += copied;
    const block = this.#header.subarray(0, this.#headerBytes);
    if (block.length >= 2 && block[0] === CLOSE && block[1] === CLOSE) {
      this.#finish(); // the close delimiter: the epilogue follows
      return data.length;
    }
    // Only the new bytes (and the three before them) can complete the blank line.
    const end = block.indexOf(HEADER_END, Math.max(0, before - (HEADER_END.length - 1)));
    if (end === -1) {
      if (this.#headerBytes >= MAX_PART_HEADER_BYTES) this.#finish();
      return from + copied;
    }
    this.#headerBytes = 0;
    this.#state = State.Content;
    this.#startPart(block.toString('latin1', 0, end));
    // The header block ended inside the bytes just copied: the content starts right after its blank line.
    return from + (end + HEADER_END.length - before);
  }

  #delimiterSeen(): void {
    if (this.#capturing) this.#endModelPart();
    this.#state = State.Headers;
  }

  #startPart(headerBlock: string): void {
    let name: string | undefined;
    for (const line of headerBlock.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === -1 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
      const match = NAME_PARAM.exec(line.slice(colon + 1));
      name = match?.[1] ?? match?.[2];
    }
    this.#capturing = name === 'model';
    this.#captured = [];
    this.#capturedBytes = 0;
    this.#overflow = false;
  }

  #content(data: Buffer, from: number, to: number): void {
    if (!this.#capturing || this.#overflow || to <= from) return;
    if (this.#capturedBytes + (to - from) > MAX_MODEL_BYTES) {
      this.#overflow = true;
      this.#captured = [];
      return;
    }
    this.#captured.push(Buffer.from(data.subarray(from, to)));
    this.#capturedBytes += to - from;
  }

  #endModelPart(): void {
    this.#capturing = false;
    if (this.#overflow) return;
    const value = Buffer.concat(this.#captured, this.#capturedBytes).toString('utf8').trim();
    this.#captured = [];
    if (value !== '' && !value.includes('\uFFFD')) this.#model = value;
  }

  #finish(): void {
    this.#state = State.Done;
    this.#header = undefined;
    this.#tail = Buffer.alloc(0);
    this.#captured = [];
  }
}
