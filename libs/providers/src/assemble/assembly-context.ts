import type { AssembledTextFilter } from './assembler.types';

/** The default bound of an assembled response: 64 Ki UTF-16 chars. */
export const DEFAULT_ASSEMBLED_MAX_CHARS = 65536;

/** Identifier-like strings (ids, model, enums) are clipped to this many chars. */
export const MAX_SHORT_CHARS = 256;

/**
 * What one structural node (a choice, a tool call, a content block, an output item) costs in the
 * budget: about the JSON of its keys and fixed members, so many tiny items cannot outgrow the bound.
 */
export const NODE_CHARS = 48;

/** Deepest JSON nesting copied from a provider object; deeper values are dropped. */
export const MAX_JSON_DEPTH = 64;

function identityFilter(): AssembledTextFilter {
  return { push: (piece) => piece, end: () => '' };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** `text` cut to at most `max` UTF-16 units without splitting a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * The shared state of one assembly: the character budget, the malformed-event count, and the text
 * fields whose filter is still open (so `endAll` can flush every one of them at stream end).
 */
export class AssemblyContext {
  malformed = 0;
  private remaining: number;
  private cut = false;
  private dropping = false;
  private readonly open = new Set<TextField>();
  private readonly newFilter: () => AssembledTextFilter;

  constructor(
    private readonly maxChars: number,
    createTextFilter: (() => AssembledTextFilter) | undefined,
  ) {
    this.remaining = maxChars;
    this.newFilter = createTextFilter ?? identityFilter;
  }

  /** True once anything was dropped for the budget. */
  get truncated(): boolean {
    return this.cut;
  }

  /** True when no budget is left: any further text would be dropped. */
  get exhausted(): boolean {
    return this.remaining === 0;
  }

  /** Reserves `chars` all or nothing; on failure the budget is spent and nothing more is added. */
  charge(chars: number): boolean {
    if (chars <= this.remaining) {
      this.remaining -= chars;
      return true;
    }
    this.exhaust();
    return false;
  }

  /** Reserves up to `chars`; returns how many were granted (fewer exhausts the budget). */
  grant(chars: number): number {
    if (chars <= this.remaining) {
      this.remaining -= chars;
      return chars;
    }
    const granted = this.remaining;
    this.exhaust();
    return granted;
  }

  /** Records that something was left out without spending the budget. */
  markTruncated(): void {
    this.cut = true;
  }

  private exhaust(): void {
    this.remaining = 0;
    this.cut = true;
  }

  /** Reserves one structural node. */
  node(): boolean {
    return this.charge(NODE_CHARS);
  }

  /** An identifier-like string (id, model, enum) clipped and charged; undefined when not a string or over budget. */
  short(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    const text = clipText(value, MAX_SHORT_CHARS);
    return this.charge(text.length) ? text : undefined;
  }

  /** A new text field with its own (lazily made) filter. */
  field(): TextField {
    return new TextField(this);
  }

  /** A whole provider string passed through a fresh filter (push then end); undefined when not a string. */
  filtered(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    const field = this.field();
    field.push(value);
    field.end();
    return field.value;
  }

  /**
   * An object key at a content position through a fresh filter, charged all or nothing with `extra`
   * (the quotes and colon around it); undefined when over budget. A key is never clipped.
   */
  filteredKey(key: string, extra: number): string | undefined {
    if (this.exhausted) {
      this.markTruncated();
      return undefined;
    }
    let out = key;
    if (key.length > 0) {
      const filter = this.newFilter();
      out = filter.push(key);
      out += filter.end();
    }
    return this.charge(out.length + extra) ? out : undefined;
  }

  /** Ends the filter of every field still open (stream end, or before a partial assembly is dropped). */
  endAll(): void {
    for (const field of [...this.open]) field.end();
  }

  /**
   * From now on a field whose filter is ended without having completed (at stream end) discards
   * what its filter still held back instead of storing it; discarding any text marks the
   * assembly truncated. Used by `end({ dropHeldText: true })`.
   */
  dropHeldText(): void {
    this.dropping = true;
  }

  /** @internal Used by TextField: true when held-back text is discarded at end. */
  get dropsHeldText(): boolean {
    return this.dropping;
  }

  /** Gives the whole budget back (the partial assembly it paid for was dropped). */
  resetBudget(): void {
    this.remaining = this.maxChars;
    this.cut = false;
  }

  /** @internal Used by TextField. */
  openFilter(field: TextField): AssembledTextFilter {
    this.open.add(field);
    return this.newFilter();
  }

  /** @internal Used by TextField. */
  closeFilter(field: TextField): void {
    this.open.delete(field);
  }
}

/**
 * One assembled text field. Deltas go through the field's own filter in arrival order; only what
 * the filter returns is kept, up to the shared budget. After a cut the field takes no more text,
 * but its filter is still ended.
 */
export class TextField {
  private text = '';
  private filter: AssembledTextFilter | undefined;
  private cut = false;
  private touched = false;

  constructor(private readonly ctx: AssemblyContext) {}

  /** The filtered text so far. */
  get value(): string {
    return this.text;
  }

  /** True once any string (even an empty one) was pushed. */
  get seen(): boolean {
    return this.touched;
  }

  /** Filters and appends one delta. A field ended earlier starts a fresh filter. */
  push(piece: string): void {
    this.touched = true;
    if (piece.length === 0 || this.cut) return;
    if (this.ctx.exhausted) {
      // Whatever the filter returned would be dropped: spare it the work.
      this.cut = true;
      this.ctx.markTruncated();
      return;
    }
    this.filter ??= this.ctx.openFilter(this);
    this.append(this.filter.push(piece));
  }

  /**
   * Ends the filter (if one was made) and appends what it held back — unless the context drops
   * held text (a field still open at `end({ dropHeldText: true })`): then it is discarded.
   */
  end(): void {
    const filter = this.filter;
    if (!filter) return;
    this.filter = undefined;
    this.ctx.closeFilter(this);
    const rest = filter.end();
    if (this.cut) return;
    if (this.ctx.dropsHeldText) {
      if (rest.length > 0) this.ctx.markTruncated();
      return;
    }
    this.append(rest);
  }

  private append(out: string): void {
    if (out.length === 0) return;
    const granted = this.ctx.grant(out.length);
    if (granted === out.length) {
      this.text += out;
      return;
    }
    this.cut = true;
    this.text += clipText(out, granted);
  }
}

/** The value when it is a non-negative safe integer (an array index), else undefined. */
export function asIndex(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The value when it is a finite number, else undefined. */
export function asFiniteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Items keyed by a provider index (choice, tool call, content block), emitted in index order. */
export class IndexedSlots<T> {
  private readonly items = new Map<number, T>();

  get(index: number): T | undefined {
    return this.items.get(index);
  }

  /** The item at `index`, made (and charged one node) when new; undefined when over budget. */
  obtain(ctx: AssemblyContext, index: number, make: () => T): T | undefined {
    const found = this.items.get(index);
    if (found !== undefined) return found;
    if (!ctx.node()) return undefined;
    const item = make();
    this.items.set(index, item);
    return item;
  }

  get size(): number {
    return this.items.size;
  }

  /** [index, item] pairs in ascending index order. */
  ordered(): Array<[number, T]> {
    return [...this.items.entries()].sort((a, b) => a[0] - b[0]);
  }
}

/** Sets `key` on a plain object, `__proto__` included, as an own enumerable property. */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
