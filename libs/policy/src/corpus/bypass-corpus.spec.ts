import { createRedactor } from '../redactor';
import { BYPASS_CORPUS, CORPUS_FORMS } from './bypass-corpus';
import { corpusRecall, evaluateCorpusCase, exposesValue } from './corpus-recall';

const redactor = createRedactor({ salt: new TextEncoder().encode('bypass-corpus-spec-salt') });
const positives = BYPASS_CORPUS.filter((c) => c.expect === 'detect');
const negatives = BYPASS_CORPUS.filter((c) => c.expect === 'clean');

describe('bypass corpus', () => {
  it('has unique ids, one body per case, and a value for every detect case', () => {
    expect(new Set(BYPASS_CORPUS.map((c) => c.id)).size).toBe(BYPASS_CORPUS.length);
    for (const c of BYPASS_CORPUS) {
      expect([c.text, c.json].filter((body) => body !== undefined)).toHaveLength(1);
      if (c.expect === 'detect') expect(c.value).toEqual(expect.any(String));
    }
  });

  it.each(CORPUS_FORMS.map((form) => [form]))('has at least 8 detect cases across detectors for %s', (form) => {
    const cases = positives.filter((c) => c.form === form);
    expect(cases.length).toBeGreaterThanOrEqual(8);
    expect(new Set(cases.map((c) => c.detector)).size).toBeGreaterThanOrEqual(3);
  });

  it('has false-positive controls', () => {
    expect(negatives.length).toBeGreaterThanOrEqual(20);
  });

  // The oracle must see through every evasion, or a pass would prove nothing.
  it.each(positives.map((c) => [c.id, c]))('oracle: the unredacted body of %s exposes its value', (_id, c) => {
    expect(exposesValue(c.json ?? c.text ?? '', c.value ?? '', c.detector, c.json !== undefined)).toBe(true);
  });

  it.each(positives.map((c) => [c.id, c]))('detects %s in scan and redact mode and removes the value', (_id, c) => {
    const outcome = evaluateCorpusCase(redactor, c);
    expect({ scanned: outcome.scanned, redacted: outcome.redacted, exposed: outcome.exposed }).toEqual({
      scanned: true,
      redacted: true,
      exposed: false,
    });
  });

  it.each(negatives.map((c) => [c.id, c]))('leaves %s untouched', (_id, c) => {
    const outcome = evaluateCorpusCase(redactor, c);
    expect({ findings: outcome.findings, output: outcome.output }).toEqual({ findings: 0, output: c.json ?? c.text });
  });

  it('has 100% recall and no false positives in every form', () => {
    for (const row of corpusRecall()) {
      expect(row).toEqual({ form: row.form, total: row.total, detected: row.total, cleanTotal: row.cleanTotal, falsePositives: 0 });
    }
  });
});
