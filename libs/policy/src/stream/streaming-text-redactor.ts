import { engineOf } from '../engine/engine-registry';
import type { Hit } from '../engine/hit';
import type { RedactionEngine } from '../engine/redaction-engine';
import type { Finding } from '../finding';
import type { Redactor } from '../redactor';
import { blockMayContinue, isTerminatedBlock, swallowPrivateKeyBody } from './private-key-continuation';

/** Default StreamingTextRedactor holdback, in UTF-16 code units. */
export const DEFAULT_HOLDBACK_CHARS = 256;
/** Longest unterminated private-key block held back whole before it is emitted as a placeholder. */
export const PRIVATE_KEY_HOLDBACK_CHARS = 16_384;
/** Smallest accepted holdback: the longest value that spans whitespace (a grouped phone or card) must fit. */
export const MIN_HOLDBACK_CHARS = 64;
/** Already-emitted text kept as look-behind (SSN context words, `Bearer ` before a token). */
const CONTEXT_CHARS = 64;
/** Text that must follow a cut so values containing spaces (phones, cards) are seen whole. */
const LOOKAHEAD_CHARS = 48;
const WHITESPACE = /\s/;
const KEY_BODY_CHARS = /^[A-Za-z0-9+/=\s]*$/;

/** Incremental redaction of text that arrives in pieces (streamed deltas). */
export interface StreamingTextRedactor {
  /** Adds a piece; returns the redacted text that is now final (possibly ''). */
  push(piece: string): string;
  /** Flushes what was held back; the redactor accepts no more pieces. */
  end(): string;
  /** Findings in the text emitted so far. */
  findings(): Finding[];
}

type Swallow = 'none' | 'token' | 'private_key';

/**
 * Redacts a stream incrementally. Output never contains a raw detected value, even one split across
 * pushes. It holds back at most `holdbackChars` (default 256, at least 64): each push scans the held text
 * plus 64 characters of look-behind and emits up to a whitespace boundary at least `holdbackChars` before
 * the end. An unterminated `-----BEGIN … PRIVATE KEY-----` block is held whole up to 16 KB; past that it is
 * emitted as one placeholder and the rest of the block is dropped. When every value and encoded token is
 * shorter than the holdback, the concatenated output equals redactText of the whole text.
 */
class StreamingTextRedaction implements StreamingTextRedactor {
  private context = '';
  private pending = '';
  private swallow: Swallow = 'none';
  private carry = '';
  /** Offset in `pending` of an open private-key block being held, or -1. */
  private keyHoldAt = -1;
  private ended = false;
  private readonly found: Finding[] = [];
  private readonly holdback: number;

  constructor(
    private readonly engine: RedactionEngine,
    holdbackChars: number,
  ) {
    this.holdback = holdbackChars;
  }

  push(piece: string): string {
    if (this.ended) throw new Error('push() after end()');
    const rest = this.swallowFrom(piece);
    if (rest.length === 0) return '';
    this.pending += rest;
    if (this.pending.length <= this.holdback) return '';
    if (this.keyHoldAt >= 0 && KEY_BODY_CHARS.test(rest) && this.pending.length - this.keyHoldAt <= PRIVATE_KEY_HOLDBACK_CHARS) {
      return ''; // more key body for a block already held: nothing can be emitted yet
    }
    return this.flush();
  }

  end(): string {
    if (this.ended) return '';
    this.ended = true;
    this.swallow = 'none';
    if (this.pending.length === 0) return '';
    const buffer = this.context + this.pending;
    const out = this.emit(buffer, this.engine.hits(buffer), this.context.length, buffer.length);
    this.pending = '';
    return out;
  }

  findings(): Finding[] {
    return [...this.found];
  }

  /** Drops the continuation of a value that was emitted as a placeholder; returns what follows it. */
  private swallowFrom(piece: string): string {
    if (this.swallow === 'token') {
      let i = 0;
      while (i < piece.length && !WHITESPACE.test(piece.charAt(i))) i++;
      if (i === piece.length) return '';
      this.swallow = 'none';
      return piece.slice(i);
    }
    if (this.swallow === 'private_key') {
      const { resumeAt, carry } = swallowPrivateKeyBody(this.carry + piece);
      const text = this.carry + piece;
      this.carry = carry;
      if (resumeAt === undefined) return '';
      this.swallow = 'none';
      return text.slice(resumeAt);
    }
    return piece;
  }

  private flush(): string {
    const buffer = this.context + this.pending;
    const base = this.context.length;
    const hits = this.engine.hits(buffer);
    const limit = buffer.length - this.holdback;
    this.keyHoldAt = -1;

    // An unterminated private-key block is held whole (up to 16 KB), then emitted as one placeholder.
    const key = hits.find((hit) => hit.end > base && this.isOpenPrivateKey(buffer, hit));
    if (key !== undefined && key.start >= base) {
      if (buffer.length - key.start <= PRIVATE_KEY_HOLDBACK_CHARS) {
        const out = key.start > base ? this.emitUpTo(buffer, hits, base, key.start) : '';
        this.keyHoldAt = this.pending.length - (buffer.length - key.start);
        return out;
      }
      return this.emitWithPlaceholder(buffer, hits, base, key, 'private_key');
    }

    let cut = this.whitespaceCut(buffer, limit);
    for (const hit of hits) {
      if (hit.end <= base || !(hit.start < cut && cut < hit.end)) continue;
      if (hit.end <= buffer.length - LOOKAHEAD_CHARS)
        cut = hit.end; // closed: emit through it
      else if (hit.start >= limit)
        cut = hit.start; // still within the holdback: keep it whole
      else if (hit.end < buffer.length)
        cut = hit.end; // longer than the holdback but ended
      else return this.emitWithPlaceholder(buffer, hits, base, hit, 'token'); // longer than the holdback and growing
      break;
    }
    return cut > base ? this.emitUpTo(buffer, hits, base, cut) : '';
  }

  /** The first position at or after `limit` that follows whitespace and leaves LOOKAHEAD_CHARS after it; else `limit`. */
  private whitespaceCut(buffer: string, limit: number): number {
    const last = buffer.length - LOOKAHEAD_CHARS;
    for (let p = Math.max(limit, 1); p <= last; p++) {
      if (WHITESPACE.test(buffer.charAt(p - 1))) return p;
    }
    return limit;
  }

  private isOpenPrivateKey(buffer: string, hit: Hit): boolean {
    const finding = hit.findings[0];
    if (finding?.kind !== 'private_key' || finding.via === 'base64' || hit.findings.length !== 1) return false;
    if (isTerminatedBlock(buffer.slice(hit.start, hit.end))) return false;
    return blockMayContinue(buffer.slice(hit.end));
  }

  /** Emits [base, cut) and keeps the rest pending. */
  private emitUpTo(buffer: string, hits: readonly Hit[], base: number, cut: number): string {
    const out = this.emit(buffer, hits, base, cut);
    this.context = buffer.slice(Math.max(0, cut - CONTEXT_CHARS), cut);
    this.pending = buffer.slice(cut);
    return out;
  }

  /** Emits everything, `hit` (which reaches the end of the buffer) as its placeholder, and drops its continuation. */
  private emitWithPlaceholder(buffer: string, hits: readonly Hit[], base: number, hit: Hit, swallow: Swallow): string {
    const out = this.emit(buffer, hits, base, hit.start) + hit.placeholder;
    this.found.push(...hit.findings);
    this.context = '';
    this.pending = '';
    this.swallow = swallow;
    this.carry = swallow === 'private_key' ? buffer.slice(buffer.lastIndexOf('\n') + 1) : '';
    if (swallow === 'private_key') this.carry = swallowPrivateKeyBody(this.carry).carry;
    return out;
  }

  /** Redacted text of buffer[base, cut): hits inside are replaced; a hit reaching back into the look-behind is replaced from `base`. */
  private emit(buffer: string, hits: readonly Hit[], base: number, cut: number): string {
    let out = '';
    let from = base;
    for (const hit of hits) {
      if (hit.end <= base) continue;
      if (hit.start >= cut) break;
      out += buffer.slice(from, Math.max(from, hit.start)) + hit.placeholder;
      from = hit.end;
      this.found.push(...hit.findings);
    }
    return out + buffer.slice(from, Math.max(from, cut));
  }
}

/**
 * Incremental redaction of a text that arrives in pieces (streamed deltas). Holds back at most
 * `holdbackChars` (default 256, minimum 64), or an unterminated private-key block up to 16 KB.
 */
export function createStreamingTextRedactor(redactor: Redactor, options?: { holdbackChars?: number }): StreamingTextRedactor {
  const holdback = options?.holdbackChars ?? DEFAULT_HOLDBACK_CHARS;
  if (!Number.isInteger(holdback) || holdback < MIN_HOLDBACK_CHARS) {
    throw new RangeError(`holdbackChars must be an integer >= ${MIN_HOLDBACK_CHARS}`);
  }
  return new StreamingTextRedaction(engineOf(redactor), holdback);
}
