import { Deadline } from '../engine/deadline';
import { engineOf } from '../engine/engine-registry';
import { applyHits, type Hit } from '../engine/hit';
import type { RedactionEngine, ScanOptions } from '../engine/redaction-engine';
import type { FieldFinding } from '../finding';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import type { Redactor } from '../redactor';
import { guarded } from './evaluation-guards';
import { JsonSyntaxError, readLiteral, readNumber, readString, skipWhitespace, type JsonStringToken } from './json-lexer';
import { memberSegment, pathOf, type PathNode } from './json-path';
import { memberContext, NO_MEMBER_CONTEXT, type MemberContext } from './member-context';
import type { JsonRedaction, JsonScanOptions } from './scan-options';
import { scanSplitParts, type SplitFinding, type SplitPart } from './split-scan';
import { splitReadings } from './split-variants';
import { replacementsFromHits, rewriteString, type Replacement } from './string-rewrite';

/** Deepest nesting of arrays and objects accepted; a deeper document is PolicyEvaluationError('unparseable'). */
export const MAX_JSON_DEPTH = 256;
/** Fewest integer digits a number token needs to be scanned (an unseparated SSN has 9; floats are skipped). */
const MIN_NUMBER_DIGITS = 9;
/** Shortest string value whose member key is read as context (9: an unseparated SSN). */
const MIN_CONTEXT_VALUE_LENGTH = 9;
const DIGIT = /\d/;
const NO_HITS: readonly Hit[] = Object.freeze([]);

interface Frame {
  readonly kind: 'object' | 'array';
  /** Where the container sits (undefined for the root). */
  readonly node: PathNode | undefined;
  /** Array: what the member key it is the value of says about its elements. */
  readonly elementContext: MemberContext;
  /** Array: index of the current element. */
  index: number;
  /** Object: path segment of the current member, built when a path needs it (most members never do). */
  segment: string | undefined;
  /** Object: what was found in the current member's key (its segment shows the key redacted). */
  keyHits: readonly Hit[];
  /** Object: decoded key of the current member. */
  key: string | undefined;
  /** Object: what the current member's key says about its value, once needed. */
  memberContext: MemberContext | undefined;
  /** Array: its text-bearing strings in document order (string elements, element objects' `text`/`content`). */
  readonly parts: SplitPart[];
  /** Array: some element object contributed more than one part (duplicate keys, or both `text` and `content`). */
  competing: boolean;
}

interface OrderedFinding {
  readonly at: number;
  readonly sub: number;
  readonly finding: FieldFinding;
}

/** True for the integer part of a number token (after an optional '-') having at least MIN_NUMBER_DIGITS digits. */
function longInteger(text: string, start: number, end: number): boolean {
  let i = text.charCodeAt(start) === 0x2d ? start + 1 : start;
  const first = i;
  while (i < end && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  return i - first >= MIN_NUMBER_DIGITS;
}

/**
 * One evaluation of one document: walks every token of the raw text (no JSON.parse, so duplicate keys are
 * all seen), scans every string token (keys and values) and every long integer, joins the text-bearing
 * strings of each array to catch values split across them, and in 'redact' mode rewrites only the tokens
 * that changed (a number holding a value becomes a string).
 */
class JsonWalk {
  private readonly stack: Frame[] = [];
  private readonly findings: OrderedFinding[] = [];
  private readonly edits = new Map<number, { token: JsonStringToken; replacements: Replacement[] }>();
  private readonly deadline: Deadline;
  /** The scan options of a token without member context (every key, most values), made once per walk. */
  private readonly plainScan: ScanOptions;
  /** Set by readValue: a container was opened and its first value comes next. */
  private valuePending = false;

  constructor(
    private readonly engine: RedactionEngine,
    private readonly text: string,
    private readonly options: JsonScanOptions,
  ) {
    this.deadline = new Deadline(options.deadline);
    this.plainScan = { deadline: this.deadline };
  }

  run(): JsonRedaction {
    this.deadline.check();
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
    this.deadline.spend(1);
    if (code === 0x22 /* " */) {
      const token = readString(text, i, this.deadline);
      this.onValueString(token);
      return token.end;
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (this.stack.length >= MAX_JSON_DEPTH) throw new JsonSyntaxError(i, `nesting deeper than ${MAX_JSON_DEPTH}`);
      const kind = code === 0x7b ? 'object' : 'array';
      const frame: Frame = {
        kind,
        node: this.valueNode(),
        elementContext: kind === 'array' ? this.valueContext() : NO_MEMBER_CONTEXT,
        index: 0,
        segment: undefined,
        keyHits: NO_HITS,
        key: undefined,
        memberContext: undefined,
        parts: [],
        competing: false,
      };
      this.stack.push(frame);
      const next = skipWhitespace(text, i + 1);
      if (text.charCodeAt(next) === (kind === 'object' ? 0x7d : 0x5d)) {
        this.close();
        return next + 1;
      }
      this.valuePending = true;
      return kind === 'object' ? this.readKey(next, frame) : next;
    }
    if (code === 0x2d /* - */ || (code >= 0x30 && code <= 0x39)) {
      const end = readNumber(text, i);
      if (longInteger(text, i, end)) this.onNumber({ start: i, end, value: text.slice(i, end) });
      return end;
    }
    return readLiteral(text, i);
  }

  /** Reads `"key" :` at `i` for `frame`; returns the index of the member's value. */
  private readKey(i: number, frame: Frame): number {
    if (this.text.charCodeAt(i) !== 0x22) throw new JsonSyntaxError(i, 'expected a key');
    const token = readString(this.text, i, this.deadline);
    const hits = this.scan(token.value, NO_MEMBER_CONTEXT);
    frame.key = token.value;
    frame.memberContext = undefined;
    // A key holding a value appears in paths as its redacted form, never raw.
    frame.segment = undefined;
    frame.keyHits = hits;
    if (hits.length > 0) this.record(token, hits, this.valueNode());
    const colon = skipWhitespace(this.text, token.end);
    if (this.text.charCodeAt(colon) !== 0x3a) throw new JsonSyntaxError(colon, 'expected :');
    return skipWhitespace(this.text, colon + 1);
  }

  private onValueString(token: JsonStringToken): void {
    const value = token.value;
    const context = value.length >= MIN_CONTEXT_VALUE_LENGTH && DIGIT.test(value) ? this.valueContext() : NO_MEMBER_CONTEXT;
    const hits = this.scan(value, context);
    const top = this.stack[this.stack.length - 1];
    const parent = this.stack[this.stack.length - 2];
    const isArrayElement = top?.kind === 'array';
    const member =
      top?.kind === 'object' && parent?.kind === 'array' && (top.key === 'text' || top.key === 'content') ? top.key : undefined;
    if (hits.length === 0 && !isArrayElement && member === undefined) return;
    const node = this.valueNode();
    if (hits.length > 0) this.record(token, hits, node);
    if (top === undefined) return;
    if (isArrayElement) {
      top.parts.push({ token, path: node, hits, element: top.index, member: undefined });
    } else if (member !== undefined && parent !== undefined) {
      const previous = parent.parts[parent.parts.length - 1];
      if (previous !== undefined && previous.element === parent.index) parent.competing = true;
      parent.parts.push({ token, path: node, hits, element: parent.index, member });
    }
  }

  /** A number with a long integer part: its raw text is scanned with the member key as context. */
  private onNumber(token: JsonStringToken): void {
    const hits = this.scan(token.value, this.valueContext());
    if (hits.length > 0) this.record(token, hits, this.valueNode());
  }

  private close(): void {
    const frame = this.stack.pop() as Frame;
    if (frame.kind !== 'array') return;
    const readings = splitReadings(frame.parts, frame.competing);
    if (readings.length === 0) return;
    const seen = new Set<string>();
    for (const reading of readings) {
      this.deadline.check();
      for (const split of guarded(() => scanSplitParts(this.engine, reading, this.deadline))) {
        const key = splitKey(split);
        if (seen.has(key)) continue;
        seen.add(key);
        this.onSplitFinding(split);
      }
    }
  }

  /** Where the value being read sits: the current member or element of the innermost container. */
  private valueNode(): PathNode | undefined {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return undefined;
    if (top.kind === 'array') return { parent: top.node, step: top.index };
    const key = top.key ?? '';
    top.segment ??= memberSegment(top.keyHits.length === 0 ? key : applyHits(key, top.keyHits));
    return { parent: top.node, step: top.segment };
  }

  /** What the member key the value being read belongs to says about it (through arrays: `"ssn":[…]`). */
  private valueContext(): MemberContext {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return NO_MEMBER_CONTEXT;
    if (top.kind === 'array') return top.elementContext;
    top.memberContext ??= memberContext(top.key ?? '');
    return top.memberContext;
  }

  /**
   * The hits of one string or number token. A detector's failure propagates to redactJson, which reports it as
   * 'detector_error' (no wrapper per token: a walk scans every key and value).
   */
  private scan(value: string, context: MemberContext): readonly Hit[] {
    const options =
      context === NO_MEMBER_CONTEXT ? this.plainScan : { deadline: this.deadline, label: context.label, phoneField: context.phoneField };
    return this.engine.hits(value, options);
  }

  private record(token: JsonStringToken, hits: readonly Hit[], node: PathNode | undefined): void {
    const field = pathOf(node);
    for (const hit of hits) {
      for (const finding of hit.findings) this.findings.push({ at: token.start, sub: hit.start, finding: { ...finding, field } });
    }
    if (this.options.mode === 'redact') {
      const replacements = this.editOf(token);
      for (const replacement of replacementsFromHits(hits)) replacements.push(replacement);
    }
  }

  private onSplitFinding(split: SplitFinding): void {
    const field = pathOf(split.first.path);
    for (const finding of split.findings) {
      this.findings.push({ at: split.first.token.start, sub: split.offset, finding: { ...finding, via: 'split', field } });
    }
    if (this.options.mode === 'redact') {
      for (const piece of split.pieces) this.editOf(piece.token).push(piece.replacement);
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

  private result(): JsonRedaction {
    const findings = this.findings.sort((a, b) => a.at - b.at || a.sub - b.sub).map((entry) => entry.finding);
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

/** Identifies a split value across the readings of one array (the same value found twice is recorded once). */
function splitKey(split: SplitFinding): string {
  const pieces = split.pieces.map((piece) => `${piece.token.start}/${piece.replacement.start}-${piece.replacement.end}`);
  return `${split.first.token.start}:${split.offset}:${pieces.join(',')}`;
}

/**
 * Walks EVERY string token (object keys and values) of the raw JSON text, duplicate keys included (no
 * JSON.parse: providers differ on which duplicate wins), and every number with 9 or more integer digits
 * (cards, SSNs and, under a phone key, phone numbers written as JSON numbers). A member's key is read as
 * context for its value (`"ssn": 123456789`). Values split across the text-bearing elements of one array are
 * caught too (docs/policy-detectors.md). Throws PolicyEvaluationError: 'unparseable' for text that is not
 * RFC 8259 JSON or nests deeper than MAX_JSON_DEPTH (256), 'timeout' past `deadline` (checked throughout,
 * also inside one long string), 'detector_error' if a detector fails. Rewriting keeps the document
 * byte-for-byte except the rewritten tokens: strings re-encoded with JSON.stringify, and a number holding a
 * value replaced by a JSON string (`"card":"[CREDIT_CARD:1a2b3c4d]"`).
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
