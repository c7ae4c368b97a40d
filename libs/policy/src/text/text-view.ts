// A TextView is the text the detectors read (normalised, decoded) plus, for each of its UTF-16 code units,
// the span of the ORIGINAL text it came from, so a match on the view redacts exactly the original
// characters. Views of text that needed no change carry no arrays (the identity map): the fast path.

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

/** A view that is the original text itself. */
export function identityView(text: string): TextView {
  return { text, starts: undefined, ends: undefined, urlFlags: undefined };
}

/** The view after applying `step` to `view.text`: spans composed back to the original. */
export function composeView(view: TextView, step: LocalTransform): TextView {
  const length = step.text.length;
  const starts = new Int32Array(length);
  const ends = new Int32Array(length);
  const needFlags = view.urlFlags !== undefined || step.urlFlags !== undefined;
  const urlFlags = needFlags ? new Uint8Array(length) : undefined;
  for (let i = 0; i < length; i++) {
    const localStart = step.starts[i] as number;
    const localEnd = step.ends[i] as number;
    if (view.starts === undefined || view.ends === undefined) {
      starts[i] = localStart;
      ends[i] = localEnd;
    } else {
      starts[i] = view.starts[localStart] as number;
      ends[i] = view.ends[localEnd - 1] as number;
    }
    if (urlFlags !== undefined) {
      let flag = step.urlFlags?.[i] ?? 0;
      if (view.urlFlags !== undefined) {
        for (let j = localStart; j < localEnd && flag === 0; j++) flag = view.urlFlags[j] as number;
      }
      urlFlags[i] = flag;
    }
  }
  return { text: step.text, starts, ends, urlFlags };
}

/** The original span [start, end) of the view's code units [from, to) (to > from). */
export function originalSpan(view: TextView, from: number, to: number): readonly [number, number] {
  if (view.starts === undefined || view.ends === undefined) return [from, to];
  return [view.starts[from] as number, view.ends[to - 1] as number];
}

/** True when any of the view's code units [from, to) came through percent-decoding. */
export function spanWasUrlDecoded(view: TextView, from: number, to: number): boolean {
  if (view.urlFlags === undefined) return false;
  for (let i = from; i < to; i++) if (view.urlFlags[i] === 1) return true;
  return false;
}

/** Collects a transform's output text and spans; grows its arrays as needed. */
export class TransformBuilder {
  private parts: string[] = [];
  private length = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private flags: Uint8Array | undefined;

  /** Appends `text` (possibly empty) as coming from the input span [start, end). */
  push(text: string, start: number, end: number, urlDecoded = false): void {
    if (text.length === 0) return;
    this.reserve(text.length);
    if (urlDecoded && this.flags === undefined) this.flags = new Uint8Array(this.starts.length);
    for (let i = 0; i < text.length; i++) {
      this.starts[this.length + i] = start;
      this.ends[this.length + i] = end;
      if (this.flags !== undefined) this.flags[this.length + i] = urlDecoded ? 1 : 0;
    }
    this.parts.push(text);
    this.length += text.length;
  }

  /** Appends input[start, end) unchanged, one code unit per input code unit. */
  pushVerbatim(input: string, start: number, end: number): void {
    if (end <= start) return;
    const count = end - start;
    this.reserve(count);
    for (let i = 0; i < count; i++) {
      this.starts[this.length + i] = start + i;
      this.ends[this.length + i] = start + i + 1;
      if (this.flags !== undefined) this.flags[this.length + i] = 0;
    }
    this.parts.push(input.slice(start, end));
    this.length += count;
  }

  build(): LocalTransform {
    const text = this.parts.join('');
    const starts = this.starts.slice(0, this.length);
    const ends = this.ends.slice(0, this.length);
    return this.flags === undefined ? { text, starts, ends } : { text, starts, ends, urlFlags: this.flags.slice(0, this.length) };
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.starts.length) return;
    let capacity = this.starts.length * 2;
    while (capacity < needed) capacity *= 2;
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
