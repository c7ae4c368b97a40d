import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DIGIT_DETECTORS, type DetectorId } from '../detector-ids';
import { scanCreditCards } from '../detectors/credit-card.detector';
import type { Candidate, DetectorContext, DetectorScan } from '../detectors/candidate';
import { scanEmails } from '../detectors/email.detector';
import { scanPhones } from '../detectors/phone.detector';
import { scanSecrets } from '../detectors/secrets.detector';
import { scanSsns } from '../detectors/ssn.detector';
import type { Finding, FindingVia } from '../finding';
import { formatPlaceholder, placeholderHash } from '../placeholder';
import { decodeBase64Text, findBase64Candidates } from '../text/base64-candidates';
import { detachedCopy } from '../text/detached-copy';
import { normalizeView } from '../text/normalize';
import { percentDecodeView } from '../text/percent-decode';
import { identityView, markOffsets, originalSpan, spanWasUrlDecoded, type TextView } from '../text/text-view';
import { NO_DEADLINE, type Deadline } from './deadline';
import type { Hit } from './hit';
import { resolveOverlaps } from './resolve-overlaps';

/** Shortest text any detector can match (`a@b.co`); shorter ASCII text is skipped outright. */
const MIN_FINDABLE_LENGTH = 6;
const NON_ASCII = /[\u0080-\uffff]/;
/**
 * Longest text whose clean scan (nothing found) is remembered. Documents repeat their keys and enumerated values
 * (`role`, `assistant`, `chat.completion`, a model name) in every request and response, and the scan of each is the
 * same every time for one engine. Each engine (one org's salt and detectors) remembers its own texts, never another's,
 * so a memo can never answer for another org's strings. An engine remembers at most TEXTS_PER_ENGINE texts (an LRU of
 * `lru-cache`, as every cache here), and at most REMEMBERING_ENGINES engines remember at once (the least recently used
 * memo is dropped first, and with it its texts), so the memory is bounded — 64 × 256 strings of at most 128 characters,
 * under 10 MiB per thread at worst — however many redactors are cached. Other orgs' traffic can only take an org back
 * to scanning (its memo dropped, or its strings slower to be admitted), never change what is found.
 */
const MAX_REMEMBERED_LENGTH = 128;
const TEXTS_PER_ENGINE = 256;
const REMEMBERING_ENGINES = 64;

/** One engine's remembered clean texts; `texts` is dropped once the memo is pushed out of MEMOS. */
class EngineMemo {
  uses = 0;
  constructor(public texts: LRUCache<string, true> | undefined) {}
}

const MEMOS = new LRUCache<number, EngineMemo>({
  max: REMEMBERING_ENGINES,
  dispose: (memo) => {
    // The engine may keep its reference until its next scan: what it held goes now.
    memo.texts = undefined;
  },
});
let engines = 0;

/**
 * The doorkeeper of the memos: hashes of texts an engine found clean once (one slot per hash bucket, one table for the
 * process). A text is remembered the second time its engine finds it clean, so values seen once — response ids,
 * timestamps, a user's words — never push the repeated ones out (and cost no copy: a remembered text is a copy of its
 * own, never a slice that keeps its document alive). The hash is seeded per engine and per process, so no org can
 * aim at another's slots or tell which texts another sent; many distinct texts from any org overwrite slots at random,
 * which only delays what others remember (back to scanning), and a collision only lets a clean text in early.
 */
const SEEN_ONCE = new Int32Array(1 << 16);
const PROCESS_SEED = randomBytes(4).readInt32LE(0);

/** How many texts the process remembers as clean, all engines together (for the specs: what enters a memo, and when). */
export function rememberedCleanTexts(): number {
  let count = 0;
  for (const memo of MEMOS.values()) count += memo.texts?.size ?? 0;
  return count;
}

/** FNV-1a of `text`'s UTF-16 code units from `seed`, never 0 (the doorkeeper's empty slot). */
function textHash(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 1;
}

const DIGIT = /\d/;

const SCANS: Readonly<Record<DetectorId, DetectorScan>> = {
  secrets: scanSecrets,
  credit_card: scanCreditCards,
  ssn: scanSsns,
  email: scanEmails,
  phone: scanPhones,
};

/** What a caller knows about one text beyond its characters (all optional). */
export interface ScanOptions {
  /** Long scans report their work to it and stop with PolicyEvaluationError('timeout') past it. */
  readonly deadline?: Deadline;
  /** Words that precede the text, such as the JSON member key it is the value of (SSN context). */
  readonly label?: string;
  /** The text is the value of a phone field: a bare 10-15 digit number counts as a phone. */
  readonly phoneField?: boolean;
  /** Sorted offsets where a value may start whatever precedes it (the starts of joined JSON parts). */
  readonly tokenStarts?: readonly number[];
}

/** Work units charged per finding (placeholder hash) and per decoded base64 token on top of its length. */
const PER_ITEM_UNITS = 64;

/** The engine's settings, validated by createRedactor. */
export interface EngineSettings {
  readonly salt: Uint8Array;
  readonly detectors: readonly DetectorId[];
  readonly maxDecodeDepth: number;
  readonly maxDecodeBytes: number;
}

/**
 * Finds every value in a text and where it sits in the ORIGINAL text. Per text: normalise (escapes,
 * NFKD + mark removal, homoglyphs, invisible and control characters, lone surrogates), percent-decode up to
 * maxDecodeDepth times (re-normalising what was decoded), run the detectors on that view (with the caller's
 * label, phone field and token starts, see ScanOptions), resolve overlaps by precedence, then decode base64
 * candidates that no match covers and scan them recursively (each layer counts toward maxDecodeDepth; the
 * options describe the outer text only). Work is linear in the text per level: decoded text is never longer
 * than its source; every stage reports its work to the deadline.
 */
export class RedactionEngine {
  private readonly salt: Uint8Array;
  private readonly digitScans: readonly DetectorScan[];
  private readonly otherScans: readonly DetectorScan[];
  private readonly maxDecodeDepth: number;
  private readonly maxDecodeBytes: number;
  /** This engine's number in MEMOS, and the seed of its doorkeeper hashes. */
  private readonly serial = engines++;
  private readonly doorSeed = Math.imul(PROCESS_SEED ^ this.serial, 0x9e3779b1) ^ 0x811c9dc5;
  /** Its remembered clean texts (texts scanned with no context in which nothing was found), once it has any. */
  private memo: EngineMemo | undefined;

  /** What the engine was built from (the redaction pool rebuilds it in a worker thread from these). */
  readonly settings: EngineSettings;

  constructor(settings: EngineSettings) {
    this.settings = settings;
    this.salt = settings.salt;
    this.maxDecodeDepth = settings.maxDecodeDepth;
    this.maxDecodeBytes = settings.maxDecodeBytes;
    this.digitScans = settings.detectors.filter((d) => DIGIT_DETECTORS.has(d)).map((d) => SCANS[d]);
    this.otherScans = settings.detectors.filter((d) => !DIGIT_DETECTORS.has(d)).map((d) => SCANS[d]);
  }

  /** The replacements for `text`, sorted by start and not overlapping; [] when nothing was found. */
  hits(text: string, options: ScanOptions = {}): Hit[] {
    // Only what the text alone decides is remembered: a label, a phone field or token starts change the outcome.
    const remember =
      text.length <= MAX_REMEMBERED_LENGTH &&
      text.length >= MIN_FINDABLE_LENGTH &&
      (options.label === undefined || options.label === '') &&
      options.phoneField !== true &&
      (options.tokenStarts === undefined || options.tokenStarts.length === 0);
    if (!remember) return this.scan(text, 0, options);
    const memo = this.memo;
    const texts = memo?.texts;
    if (memo !== undefined && texts !== undefined) {
      // A busy engine stays among the most recent ones (not at every lookup: a number's LRU touch is cheap, not free).
      if ((++memo.uses & 255) === 0) MEMOS.get(this.serial);
      if (texts.get(text) === true) return [];
    }
    const hits = this.scan(text, 0, options);
    if (hits.length === 0) this.rememberClean(text);
    return hits;
  }

  /** Remembers `text`, found clean, the second time this engine finds it so (the doorkeeper, SEEN_ONCE). */
  private rememberClean(text: string): void {
    const hash = textHash(text, this.doorSeed);
    const slot = hash & (SEEN_ONCE.length - 1);
    if (SEEN_ONCE[slot] !== hash) {
      SEEN_ONCE[slot] = hash;
      return;
    }
    let texts = this.memo?.texts;
    if (texts === undefined) {
      texts = new LRUCache<string, true>({ max: TEXTS_PER_ENGINE });
      this.memo = new EngineMemo(texts);
      MEMOS.set(this.serial, this.memo);
    }
    texts.set(detachedCopy(text), true);
  }

  private scan(text: string, depth: number, options: ScanOptions): Hit[] {
    if (text.length < MIN_FINDABLE_LENGTH && !NON_ASCII.test(text)) return [];
    const deadline = options.deadline ?? NO_DEADLINE;
    deadline.spend(PER_ITEM_UNITS);
    let view = normalizeView(identityView(text), deadline);
    let level = depth;
    while (level < this.maxDecodeDepth) {
      const decoded = percentDecodeView(view, deadline);
      if (decoded === undefined) break;
      view = normalizeView(decoded, deadline);
      level++;
    }
    const context: DetectorContext = {
      deadline,
      label: options.label ?? '',
      phoneField: options.phoneField ?? false,
      tokenStarts:
        options.tokenStarts === undefined || options.tokenStarts.length === 0 ? undefined : markOffsets(view, options.tokenStarts),
    };
    const candidates: Candidate[] = [];
    for (const scan of this.otherScans) scan(view.text, candidates, context);
    if (this.digitScans.length > 0 && DIGIT.test(view.text)) {
      for (const scan of this.digitScans) scan(view.text, candidates, context);
    }
    deadline.spend(candidates.length);
    const accepted = resolveOverlaps(candidates);
    const hits = accepted.map((candidate) => {
      deadline.spend(PER_ITEM_UNITS);
      return this.hitFor(text, view, candidate);
    });
    if (level < this.maxDecodeDepth) {
      const decodedHits = this.scanBase64(view, accepted, level, deadline);
      if (decodedHits.length > 0) return hits.concat(decodedHits).sort((a, b) => a.start - b.start);
    }
    return hits;
  }

  private hitFor(text: string, view: TextView, candidate: Candidate): Hit {
    const [start, end] = originalSpan(view, candidate.start, candidate.end);
    let via: FindingVia = 'plain';
    if (spanWasUrlDecoded(view, candidate.start, candidate.end)) via = 'url_encoded';
    else if (text.slice(start, end) !== view.text.slice(candidate.start, candidate.end)) via = 'normalized';
    const hash = placeholderHash(this.salt, candidate.detector, candidate.canonical);
    const finding: Finding = { detector: candidate.detector, kind: candidate.kind, hash, via };
    return { start, end, placeholder: formatPlaceholder(candidate.detector, hash), rank: candidate.rank, findings: [finding] };
  }

  /** Base64 tokens not covered by a match, decoded and scanned; a token holding a value is replaced whole. */
  private scanBase64(view: TextView, accepted: readonly Candidate[], level: number, deadline: Deadline): Hit[] {
    const hits: Hit[] = [];
    let p = 0;
    for (const token of findBase64Candidates(view.text, deadline)) {
      deadline.spend(PER_ITEM_UNITS + token.end - token.start);
      let next = accepted[p];
      while (next !== undefined && next.end <= token.start) next = accepted[++p];
      if (next !== undefined && next.start < token.end) continue;
      if (token.end - token.start > this.maxDecodeBytes) continue;
      const decoded = decodeBase64Text(view.text.slice(token.start, token.end));
      if (decoded === undefined) continue;
      // The label, phone field and token starts describe the outer text, not what a token decodes to.
      const inner = this.scan(decoded, level + 1, { deadline });
      let primary = inner[0];
      if (primary === undefined) continue;
      for (const hit of inner) if (hit.rank < primary.rank) primary = hit;
      const [start, end] = originalSpan(view, token.start, token.end);
      const findings = inner.flatMap((hit) => hit.findings.map((f): Finding => ({ ...f, via: 'base64' })));
      hits.push({ start, end, placeholder: primary.placeholder, rank: primary.rank, findings });
    }
    return hits;
  }
}
