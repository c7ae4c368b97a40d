// A TextView is the text the detectors read (normalised, decoded) plus, for each of its UTF-16 code units,
// the span of the ORIGINAL text it came from, so a match on the view redacts exactly the original
// characters. Views of text that needed no change carry no arrays (the identity map): the fast path.

import { NO_DEADLINE, type Deadline } from '../engine/deadline';

/** Code units between two deadline reports in per-character loops. */
const CHUNK = 4096;
const CHUNK_MASK = CHUNK - 1;

/** One transform step's output: new text and, per code unit, its source span in the step's input. */
export interface LocalTransform {
  readonly text: string;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Per code unit: 1 when it came through percent-decoding. */
  readonly urlFlags?: Uint8Array;
}

/** The text detectors read and the way back to the original text. */
export interface TextView {
  readonly text: string;
  /** Per code unit of `text`: start of its source span in the original; undefined for the identity map. */
  readonly starts: Int32Array | undefined;
  /** Per code unit of `text`: end (exclusive) of its source span in the original. */
  readonly ends: Int32Array | undefined;
  /** Per code unit: 1 when it came through percent-decoding; undefined when nothing did. */
  readonly urlFlags: Uint8Array | undefined;
}

/**
 * `map[index]` of a span map. A view's maps hold one entry per code unit of its text and a step's map into its
 * input's text, so every index read is in range: one outside is a bug, and throws (the evaluation fails closed).
 * Typed to Int32Array alone so the hot loops' reads stay monomorphic.
 */
function spanAt(map: Int32Array, index: number): number {
  const value = map[index];
  if (value === undefined) throw new RangeError(`code unit ${index} is outside a span map of ${map.length}`);
  return value;
}

/** A view that is the original text itself. */
export function identityView(text: string): TextView {
  return { text, starts: undefined, ends: undefined, urlFlags: undefined };
}

/** The view after applying `step` to `view.text`: spans composed back to the original. */
export function composeView(view: TextView, step: LocalTransform, deadline: Deadline = NO_DEADLINE): TextView {
  const length = step.text.length;
  const starts = new Int32Array(length);
  const ends = new Int32Array(length);
  const needFlags = view.urlFlags !== undefined || step.urlFlags !== undefined;
  const urlFlags = needFlags ? new Uint8Array(length) : undefined;
  for (let i = 0; i < length; i++) {
    if ((i & CHUNK_MASK) === CHUNK_MASK) deadline.spend(CHUNK);
    const localStart = spanAt(step.starts, i);
    const localEnd = spanAt(step.ends, i);
    if (view.starts === undefined || view.ends === undefined) {
      starts[i] = localStart;
      ends[i] = localEnd;
    } else {
      starts[i] = spanAt(view.starts, localStart);
      ends[i] = spanAt(view.ends, localEnd - 1);
    }
    if (urlFlags !== undefined) {
      const flag = step.urlFlags?.[i] ?? 0;
      urlFlags[i] = flag === 0 && spanWasUrlDecoded(view, localStart, localEnd) ? 1 : flag;
    }
  }
  return { text: step.text, starts, ends, urlFlags };
}

/** The original span [start, end) of the view's code units [from, to) (to > from). */
export function originalSpan(view: TextView, from: number, to: number): readonly [number, number] {
  if (view.starts === undefined || view.ends === undefined) return [from, to];
  return [spanAt(view.starts, from), spanAt(view.ends, to - 1)];
}

/** True when any of the view's code units [from, to) came through percent-decoding. */
export function spanWasUrlDecoded(view: TextView, from: number, to: number): boolean {
  if (view.urlFlags === undefined) return false;
  for (let i = from; i < to; i++) if (view.urlFlags[i] === 1) return true;
  return false;
}

/** Collects a transform's output text and spans; grows its arrays as needed. */
export class TransformBuilder {
  private units = new Uint16Array(64);
  private length = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private flags: Uint8Array | undefined;

  constructor(private readonly deadline: Deadline = NO_DEADLINE) {}

  /** Appends `text` (possibly empty) as coming from the input span [start, end). */
  push(text: string, start: number, end: number, urlDecoded = false): void {
    if (text.length === 0) return;
    this.reserve(text.length);
    if (urlDecoded && this.flags === undefined) this.flags = new Uint8Array(this.starts.length);
    for (let i = 0; i < text.length; i++) {
      this.units[this.length + i] = text.charCodeAt(i);
      this.starts[this.length + i] = start;
      this.ends[this.length + i] = end;
      if (this.flags !== undefined) this.flags[this.length + i] = urlDecoded ? 1 : 0;
    }
    this.length += text.length;
  }

  /** Appends input[start, end) unchanged, one code unit per input code unit. */
  pushVerbatim(input: string, start: number, end: number): void {
    if (end <= start) return;
    const count = end - start;
    this.reserve(count);
    for (let i = 0; i < count; i++) {
      if ((i & CHUNK_MASK) === CHUNK_MASK) this.deadline.spend(CHUNK);
      this.units[this.length + i] = input.charCodeAt(start + i);
      this.starts[this.length + i] = start + i;
      this.ends[this.length + i] = start + i + 1;
      if (this.flags !== undefined) this.flags[this.length + i] = 0;
    }
    this.length += count;
  }

  build(): LocalTransform {
    // Code units to text in chunks: exact for any code unit (lone surrogates included), and no long join
    // of one-character strings.
    const chunks: string[] = [];
    for (let from = 0; from < this.length; from += CHUNK) {
      this.deadline.spend(CHUNK);
      chunks.push(String.fromCharCode(...this.units.subarray(from, Math.min(this.length, from + CHUNK))));
    }
    const text = chunks.join('');
    const starts = this.starts.slice(0, this.length);
    const ends = this.ends.slice(0, this.length);
    return this.flags === undefined ? { text, starts, ends } : { text, starts, ends, urlFlags: this.flags.slice(0, this.length) };
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.starts.length) return;
    let capacity = this.starts.length * 2;
    while (capacity < needed) capacity *= 2;
    const units = new Uint16Array(capacity);
    units.set(this.units);
    this.units = units;
    const starts = new Int32Array(capacity);
    starts.set(this.starts);
    const ends = new Int32Array(capacity);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
    if (this.flags !== undefined) {
      const flags = new Uint8Array(capacity);
      flags.set(this.flags);
      this.flags = flags;
    }
  }
}

/**
 * Marks, per code unit of the view, where an offset of the original text falls: for each offset, the first
 * code unit that comes from at or after it (what an offset's characters became, even when the first of them
 * was dropped). Offsets must be sorted.
 */
export function markOffsets(view: TextView, offsets: readonly number[]): Uint8Array {
  const length = view.text.length;
  const marks = new Uint8Array(length + 1);
  let k = 0;
  for (let i = 0; i < length && k < offsets.length; i++) {
    const start = view.starts === undefined ? i : spanAt(view.starts, i);
    for (let offset = offsets[k]; offset !== undefined && offset <= start; offset = offsets[++k]) marks[i] = 1;
  }
  return marks;
}
