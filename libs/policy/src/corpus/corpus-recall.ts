import type { DetectorId } from '../detector-ids';
import type { Finding } from '../finding';
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
const DIGIT_DETECTORS: ReadonlySet<DetectorId> = new Set(['phone', 'ssn', 'credit_card']);

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

/** The strings of a JSON document: every string token (duplicates included) and each array's joined text parts. */
function jsonStrings(jsonText: string): string[] {
  const tokens = (jsonText.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((token) => JSON.parse(token) as string);
  const joined: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      const parts: string[] = [];
      for (const item of value) {
        if (typeof item === 'string') parts.push(item);
        else if (item !== null && typeof item === 'object') {
          const record = item as Record<string, unknown>;
          const text = typeof record['text'] === 'string' ? record['text'] : record['content'];
          if (typeof text === 'string') parts.push(text);
        }
        walk(item);
      }
      joined.push(parts.join(''));
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(JSON.parse(jsonText));
  return [...tokens, ...joined];
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
