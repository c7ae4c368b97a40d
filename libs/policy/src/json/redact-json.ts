import { engineOf } from '../engine/engine-registry';
import { applyHits, type Hit } from '../engine/hit';
import type { RedactionEngine } from '../engine/redaction-engine';
import type { FieldFinding } from '../finding';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import type { Redactor } from '../redactor';
import { JsonSyntaxError, readLiteral, readNumber, readString, skipWhitespace, type JsonStringToken } from './json-lexer';
import { indexSegment, joinPath, memberSegment } from './json-path';
import { checkDeadline, guarded } from './evaluation-guards';
import type { JsonRedaction, JsonScanOptions } from './scan-options';
import { replacementsFromHits, rewriteString, type Replacement } from './string-rewrite';
import { scanSplitParts, type SplitPart } from './split-scan';

/** String tokens between two deadline checks. */
const DEADLINE_EVERY = 64;
/** Members of an array element object whose string value is that element's text (content parts, messages). */
const TEXT_MEMBERS = ['text', 'content'] as const;

interface Frame {
  readonly kind: 'object' | 'array';
  /** Array: index of the current element. */
  index: number;
  /** Object: path segment of the current member. */
  segment: string;
  /** Object: decoded key of the current member. */
  key: string | undefined;
  /** Array: its text-bearing elements, in order. */
  readonly parts: SplitPart[];
  /** Object that is an array element: its `text` / `content` string members. */
  text: SplitPart | undefined;
  content: SplitPart | undefined;
}

interface OrderedFinding {
  readonly at: number;
  readonly sub: number;
  readonly finding: FieldFinding;
}

/**
 * One evaluation of one document: walks every token of the raw text (no JSON.parse, so duplicate keys are
 * all seen), scans every string token (keys and values), joins the text-bearing elements of each array to
 * catch values split across them, and in 'redact' mode rewrites only the string tokens that changed.
 */
class JsonWalk {
  private readonly stack: Frame[] = [];
  private readonly findings: OrderedFinding[] = [];
  private readonly edits = new Map<number, { token: JsonStringToken; replacements: Replacement[] }>();
  private strings = 0;
  /** Set by readValue: a container was opened and its first value comes next. */
  private valuePending = false;

  constructor(
    private readonly engine: RedactionEngine,
    private readonly text: string,
    private readonly options: JsonScanOptions,
  ) {}

  run(): JsonRedaction {
    checkDeadline(this.options.deadline);
    const text = this.text;
    let i = skipWhitespace(text, 0);
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        i = this.readValue(i);
        expectValue = this.valuePending;
        if (expectValue) continue;
      }
      i = skipWhitespace(text, i);
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        if (i !== text.length) throw new JsonSyntaxError(i, 'trailing characters');
        break;
      }
      const code = text.charCodeAt(i);
      if (code === 0x2c /* , */) {
        i = skipWhitespace(text, i + 1);
        if (top.kind === 'array') top.index++;
        else i = this.readKey(i, top);
        expectValue = true;
      } else if (code === (top.kind === 'array' ? 0x5d : 0x7d)) {
        this.close();
        i++;
      } else {
        throw new JsonSyntaxError(i, 'expected , or closing bracket');
      }
    }
    return this.result();
  }

  /**
   * Reads one value at `i`. A container is only opened (or opened and closed when empty); its first value
   * is then read by the loop, so nesting depth costs heap, not call stack.
   */
  private readValue(i: number): number {
    const text = this.text;
    const code = text.charCodeAt(i);
    this.valuePending = false;
    if (code === 0x22 /* " */) {
      const token = readString(text, i);
      this.onValueString(token);
      return token.end;
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      const kind = code === 0x7b ? 'object' : 'array';
      const frame: Frame = { kind, index: 0, segment: '', key: undefined, parts: [], text: undefined, content: undefined };
      this.stack.push(frame);
      const next = skipWhitespace(text, i + 1);
      if (text.charCodeAt(next) === (kind === 'object' ? 0x7d : 0x5d)) {
        this.close();
        return next + 1;
      }
      this.valuePending = true;
      return kind === 'object' ? this.readKey(next, frame) : next;
    }
    if (code === 0x2d /* - */ || (code >= 0x30 && code <= 0x39)) return readNumber(text, i);
    return readLiteral(text, i);
  }

  /** Reads `"key" :` at `i` for `frame`; returns the index of the member's value. */
  private readKey(i: number, frame: Frame): number {
    if (this.text.charCodeAt(i) !== 0x22) throw new JsonSyntaxError(i, 'expected a key');
    const token = readString(this.text, i);
    const hits = this.scanToken(token);
    frame.key = token.value;
    // A key holding a value appears in paths as its redacted form, never raw.
    frame.segment = memberSegment(hits.length === 0 ? token.value : applyHits(token.value, hits));
    if (hits.length > 0) this.record(token, hits, this.path());
    const colon = skipWhitespace(this.text, token.end);
    if (this.text.charCodeAt(colon) !== 0x3a) throw new JsonSyntaxError(colon, 'expected :');
    return skipWhitespace(this.text, colon + 1);
  }

  private onValueString(token: JsonStringToken): void {
    const hits = this.scanToken(token);
    const top = this.stack[this.stack.length - 1];
    const parent = this.stack[this.stack.length - 2];
    const isArrayElement = top?.kind === 'array';
    const textMember =
      top?.kind === 'object' && parent?.kind === 'array' && (TEXT_MEMBERS as readonly (string | undefined)[]).includes(top.key);
    if (hits.length === 0 && !isArrayElement && !textMember) return;
    const field = this.path();
    if (hits.length > 0) this.record(token, hits, field);
    if (top === undefined) return;
    const part: SplitPart = { token, field, hits };
    if (isArrayElement) top.parts.push(part);
    else if (top.key === 'text') top.text = part;
    else top.content = part;
  }

  private close(): void {
    const frame = this.stack.pop() as Frame;
    const parent = this.stack[this.stack.length - 1];
    if (frame.kind === 'array') {
      if (frame.parts.length >= 2) {
        checkDeadline(this.options.deadline);
        this.onSplitFindings(guarded(() => scanSplitParts(this.engine, frame.parts)));
      }
    } else if (parent?.kind === 'array') {
      const part = frame.text ?? frame.content;
      if (part !== undefined) parent.parts.push(part);
    }
  }

  private scanToken(token: JsonStringToken): readonly Hit[] {
    if (++this.strings % DEADLINE_EVERY === 0) checkDeadline(this.options.deadline);
    return guarded(() => this.engine.hits(token.value));
  }

  private record(token: JsonStringToken, hits: readonly Hit[], field: string): void {
    for (const hit of hits) {
      for (const finding of hit.findings) this.findings.push({ at: token.start, sub: hit.start, finding: { ...finding, field } });
    }
    if (this.options.mode === 'redact') this.editOf(token).push(...replacementsFromHits(hits));
  }

  private onSplitFindings(found: ReturnType<typeof scanSplitParts>): void {
    for (const split of found) {
      for (const finding of split.findings) {
        this.findings.push({ at: split.first.token.start, sub: split.offset, finding: { ...finding, via: 'split', field: split.first.field } });
      }
      if (this.options.mode === 'redact') {
        for (const piece of split.pieces) this.editOf(piece.token).push(piece.replacement);
      }
    }
  }

  private editOf(token: JsonStringToken): Replacement[] {
    let edit = this.edits.get(token.start);
    if (edit === undefined) {
      edit = { token, replacements: [] };
      this.edits.set(token.start, edit);
    }
    return edit.replacements;
  }

  private path(): string {
    const segments: string[] = [];
    for (const frame of this.stack) segments.push(frame.kind === 'array' ? indexSegment(frame.index) : frame.segment);
    return joinPath(segments);
  }

  private result(): JsonRedaction {
    const findings = this.findings
      .sort((a, b) => a.at - b.at || a.sub - b.sub)
      .map((entry) => entry.finding);
    if (this.options.mode !== 'redact' || this.edits.size === 0) return { findings };
    const edits = [...this.edits.values()].sort((a, b) => a.token.start - b.token.start);
    let out = '';
    let from = 0;
    for (const { token, replacements } of edits) {
      out += this.text.slice(from, token.start) + JSON.stringify(rewriteString(token.value, replacements));
      from = token.end;
    }
    return { text: out + this.text.slice(from), findings };
  }
}

/**
 * Walks EVERY string token (object keys and values) of the raw JSON text, duplicate keys included (no
 * JSON.parse: providers differ on which duplicate wins). Values split across the text-bearing elements of
 * one array are caught too (docs/policy-detectors.md). Throws PolicyEvaluationError: 'unparseable' for
 * text that is not RFC 8259 JSON, 'timeout' past `deadline`, 'detector_error' if a detector fails.
 * Rewriting keeps the document byte-for-byte except the rewritten string tokens (re-encoded with JSON.stringify).
 */
export function redactJson(redactor: Redactor, jsonText: string, options: JsonScanOptions): JsonRedaction {
  const engine = engineOf(redactor);
  try {
    return new JsonWalk(engine, jsonText, options).run();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new PolicyEvaluationError('unparseable', 'the body is not valid JSON', { cause: error });
    }
    if (error instanceof PolicyEvaluationError) throw error;
    throw new PolicyEvaluationError('detector_error', 'policy evaluation failed', { cause: error });
  }
}
