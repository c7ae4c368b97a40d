import { DIGIT_DETECTORS, type DetectorId } from '../detector-ids';
import type { Finding } from '../finding';
import { readLiteral, readNumber, readString, skipWhitespace } from '../json/json-lexer';
import { redactJson } from '../json/redact-json';
import { createRedactor, type Redactor } from '../redactor';
import { decodeBase64Text, findBase64Candidates } from '../text/base64-candidates';
import { normalizeView } from '../text/normalize';
import { percentDecodeView } from '../text/percent-decode';
import { identityView } from '../text/text-view';
import { BYPASS_CORPUS, CORPUS_FORMS, type CorpusCase, type CorpusForm } from './bypass-corpus';

/** Recall of one evasion form over the corpus. */
export interface FormRecall {
  form: CorpusForm;
  /** 'detect' cases of this form. */
  total: number;
  /** Of those, cases found in scan and redact mode whose redacted output no longer holds the value. */
  detected: number;
  /** 'clean' cases (false-positive controls) of this form. */
  cleanTotal: number;
  /** Of those, cases with any finding or any change. */
  falsePositives: number;
}

/** What running one case produced. */
export interface CaseOutcome {
  readonly id: string;
  /** Scan mode found the expected detector. */
  readonly scanned: boolean;
  /** Redact mode found the expected detector. */
  readonly redacted: boolean;
  /** The redacted output still holds the value in some form (undefined for clean cases). */
  readonly exposed: boolean | undefined;
  /** Number of findings in scan mode (all detectors). */
  readonly findings: number;
  /** The redacted output (the input when nothing changed). */
  readonly output: string;
  /** The case counts as detected ('detect') or as clean ('clean'). */
  readonly passed: boolean;
}

const CORPUS_SALT = new TextEncoder().encode('navplane bypass corpus salt');

/** Text as the detectors read it: normalised and percent-decoded (twice). */
function comparable(text: string): string {
  let view = normalizeView(identityView(text));
  for (let pass = 0; pass < 2; pass++) {
    const decoded = percentDecodeView(view);
    if (decoded === undefined) break;
    view = normalizeView(decoded);
  }
  return view.text;
}

/** Every reading of `text` an attacker could rely on: normalised, and base64 candidates decoded (two levels). */
function readings(text: string, depth = 0): string[] {
  const normal = comparable(text);
  const out = [normal];
  if (depth < 2) {
    for (const candidate of findBase64Candidates(normal)) {
      const decoded = decodeBase64Text(normal.slice(candidate.start, candidate.end));
      if (decoded !== undefined) out.push(...readings(decoded, depth + 1));
    }
  }
  return out;
}

/** A text-bearing string of an array element: the element itself, or its `text` / `content` member. */
interface OraclePart {
  readonly element: number;
  readonly member: string | undefined;
  readonly value: string;
}

/**
 * Reads a JSON document independently of the JSON walk (recursive, with the strict lexer): every string
 * token (keys and duplicates included), every number's raw text, and per array its text-bearing parts.
 */
function readDocument(text: string): { tokens: string[]; arrays: OraclePart[][] } {
  const tokens: string[] = [];
  const arrays: OraclePart[][] = [];
  const value = (i: number, parts: OraclePart[] | undefined, element: number, member: string | undefined): number => {
    const at = skipWhitespace(text, i);
    const code = text[at];
    if (code === '"') {
      const token = readString(text, at);
      tokens.push(token.value);
      if (parts !== undefined) parts.push({ element, member, value: token.value });
      return token.end;
    }
    if (code === '[') {
      const mine: OraclePart[] = [];
      arrays.push(mine);
      let j = skipWhitespace(text, at + 1);
      for (let index = 0; text[j] !== ']'; index++) {
        j = skipWhitespace(text, value(j, mine, index, undefined));
        if (text[j] === ',') j++;
      }
      return j + 1;
    }
    if (code === '{') {
      let j = skipWhitespace(text, at + 1);
      while (text[j] !== '}') {
        const key = readString(text, j);
        tokens.push(key.value);
        const memberParts = parts !== undefined && (key.value === 'text' || key.value === 'content') ? parts : undefined;
        j = skipWhitespace(text, value(skipWhitespace(text, key.end) + 1, memberParts, element, key.value));
        if (text[j] === ',') j = skipWhitespace(text, j + 1);
      }
      return j + 1;
    }
    if (code === '-' || (code !== undefined && code >= '0' && code <= '9')) {
      const end = readNumber(text, at);
      tokens.push(text.slice(at, end));
      return end;
    }
    return readLiteral(text, at);
  };
  value(0, undefined, 0, undefined);
  return { tokens, arrays };
}

/** The joined texts of an array a provider may read: all parts in order, and one member per element in every reading. */
function joinedReadings(parts: readonly OraclePart[]): string[] {
  const byElement = new Map<number, OraclePart[]>();
  for (const part of parts) byElement.set(part.element, [...(byElement.get(part.element) ?? []), part]);
  const choose = (members: OraclePart[], keys: readonly string[], end: 'first' | 'last'): OraclePart | undefined => {
    if (members[0]?.member === undefined) return members[0];
    for (const key of keys) {
      const matching = members.filter((part) => part.member === key);
      if (matching.length > 0) return end === 'first' ? matching[0] : matching[matching.length - 1];
    }
    return undefined;
  };
  const readings = [parts.map((part) => part.value).join('')];
  for (const keys of [['text'], ['content'], ['text', 'content'], ['content', 'text']]) {
    for (const end of ['first', 'last'] as const) {
      readings.push([...byElement.values()].map((members) => choose(members, keys, end)?.value ?? '').join(''));
    }
  }
  return readings;
}

/** The texts of a JSON document: every string token and number (duplicates included) and each array's joined readings. */
function jsonStrings(jsonText: string): string[] {
  const { tokens, arrays } = readDocument(jsonText);
  return [...tokens, ...arrays.flatMap((parts) => joinedReadings(parts))];
}

/** True when `output` still holds `value` in a form the detectors would read. */
export function exposesValue(output: string, value: string, detector: DetectorId, isJson: boolean): boolean {
  const texts = isJson ? jsonStrings(output) : [output];
  const needle = DIGIT_DETECTORS.has(detector) ? value.replace(/\D/g, '') : value.toLowerCase();
  return texts.some((text) =>
    readings(text).some((reading) => {
      const haystack = DIGIT_DETECTORS.has(detector) ? reading.replace(/[\s().+-]/g, '') : reading.toLowerCase();
      return haystack.includes(needle);
    }),
  );
}

/** Runs one case through scan and redact mode. */
export function evaluateCorpusCase(redactor: Redactor, testCase: CorpusCase): CaseOutcome {
  let scanFindings: readonly Finding[];
  let redactFindings: readonly Finding[];
  let output: string;
  if (testCase.json !== undefined) {
    scanFindings = redactJson(redactor, testCase.json, { mode: 'scan' }).findings;
    const redaction = redactJson(redactor, testCase.json, { mode: 'redact' });
    redactFindings = redaction.findings;
    output = redaction.text ?? testCase.json;
  } else {
    const text = testCase.text ?? '';
    scanFindings = redactor.scanText(text);
    const redaction = redactor.redactText(text);
    redactFindings = redaction.findings;
    output = redaction.text;
  }
  const scanned = scanFindings.some((finding) => finding.detector === testCase.detector);
  const redacted = redactFindings.some((finding) => finding.detector === testCase.detector);
  if (testCase.expect === 'clean') {
    const input = testCase.json ?? testCase.text ?? '';
    const passed = scanFindings.length === 0 && redactFindings.length === 0 && output === input;
    return { id: testCase.id, scanned, redacted, exposed: undefined, findings: scanFindings.length, output, passed };
  }
  const exposed = exposesValue(output, testCase.value ?? '', testCase.detector, testCase.json !== undefined);
  return { id: testCase.id, scanned, redacted, exposed, findings: scanFindings.length, output, passed: scanned && redacted && !exposed };
}

/**
 * Recall per evasion form over BYPASS_CORPUS with the default redactor (all detectors, default bounds),
 * plus the false positives of the clean controls. For benchmarks and notes; the spec asserts 100% / 0.
 */
export function corpusRecall(): FormRecall[] {
  const redactor = createRedactor({ salt: CORPUS_SALT });
  return CORPUS_FORMS.map((form) => {
    const cases = BYPASS_CORPUS.filter((testCase) => testCase.form === form);
    const outcomes = cases.map((testCase) => ({ testCase, outcome: evaluateCorpusCase(redactor, testCase) }));
    const positives = outcomes.filter(({ testCase }) => testCase.expect === 'detect');
    const negatives = outcomes.filter(({ testCase }) => testCase.expect === 'clean');
    return {
      form,
      total: positives.length,
      detected: positives.filter(({ outcome }) => outcome.passed).length,
      cleanTotal: negatives.length,
      falsePositives: negatives.filter(({ outcome }) => !outcome.passed).length,
    };
  });
}
