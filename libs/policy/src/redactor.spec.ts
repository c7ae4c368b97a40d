import { base64, percentAll } from './corpus/evasions';
import { FAKE } from './corpus/fake-values';
import { DETECTOR_IDS } from './detector-ids';
import { createRedactor, type RedactorOptions } from './redactor';

const salt = new TextEncoder().encode('redactor-spec-salt-01');

describe('createRedactor', () => {
  it('lists the detectors in their canonical order', () => {
    expect(DETECTOR_IDS).toEqual(['email', 'phone', 'ssn', 'credit_card', 'secrets']);
  });

  it.each<[string, Partial<RedactorOptions>]>([
    ['a short salt', { salt: new Uint8Array(8) }],
    // @ts-expect-error a detector id the type does not know, as an untyped caller can pass it
    ['an unknown detector', { detectors: ['email', 'passport'] }],
    ['a negative decode depth', { maxDecodeDepth: -1 }],
    ['a huge decode depth', { maxDecodeDepth: 99 }],
    ['a fractional decode size', { maxDecodeBytes: 1.5 }],
  ])('rejects %s', (_name, options) => {
    expect(() => createRedactor({ salt, ...options })).toThrow(RangeError);
  });

  it('returns the very same string when nothing was found', () => {
    const text = 'nothing to see here, version 1.2.3 at 10:30';
    const result = createRedactor({ salt }).redactText(text);
    expect(result.text).toBe(text);
    expect(result.findings).toEqual([]);
  });

  it('scanText finds what redactText finds', () => {
    const redactor = createRedactor({ salt });
    const text = `${FAKE.email}, ${FAKE.phoneIntl}, ${FAKE.visa}, ${base64(FAKE.aws)}`;
    expect(redactor.scanText(text)).toEqual(redactor.redactText(text).findings);
  });

  it('runs only the chosen detectors', () => {
    const text = `${FAKE.email} ${FAKE.phoneUs} ${FAKE.openai}`;
    const found = createRedactor({ salt, detectors: ['phone', 'email'] }).scanText(text);
    expect(found.map((f) => f.detector)).toEqual(['email', 'phone']);
  });

  it('never puts the value in a finding', () => {
    const findings = createRedactor({ salt }).scanText(`${FAKE.email} ${FAKE.openai}`);
    expect(JSON.stringify(findings)).not.toContain('example');
    expect(JSON.stringify(findings)).not.toContain('A1b2');
  });

  it.each([
    ['plain', FAKE.email],
    ['normalized', 'ｊａｎｅ＠example.com'],
    ['url_encoded', 'jane%40example.com'],
    ['base64', base64('write to jane@example.com')],
  ])('reports how a value was found: %s', (via, text) => {
    expect(
      createRedactor({ salt })
        .scanText(`x ${text} y`)
        .map((f) => f.via),
    ).toEqual([via]);
  });

  it('replaces a whole base64 token and reports every value inside', () => {
    const token = base64(`${FAKE.email} and ${FAKE.openai}`);
    const { text, findings } = createRedactor({ salt }).redactText(`blob ${token} end`);
    expect(text).toMatch(/^blob \[SECRET:[0-9a-f]{8}\] end$/);
    expect(findings.map((f) => `${f.kind}/${f.via}`)).toEqual(['email/base64', 'openai_key/base64']);
  });

  it('replaces exactly the percent-encoded characters of a value', () => {
    const { text } = createRedactor({ salt }).redactText('https://x.example/?to=jane.doe%40example.com&lang=en');
    expect(text).toMatch(/^https:\/\/x\.example\/\?to=\[EMAIL:[0-9a-f]{8}\]&lang=en$/);
  });

  describe('decode bounds', () => {
    const once = base64(`mail ${FAKE.email}`);
    const twice = base64(once);

    it.each([
      [0, percentAll(FAKE.email), 0],
      [0, once, 0],
      [1, once, 1],
      [1, twice, 0],
      [2, twice, 1],
      [1, encodeURIComponent(encodeURIComponent(FAKE.email)), 0],
      [2, encodeURIComponent(encodeURIComponent(FAKE.email)), 1],
    ])('maxDecodeDepth %i on %j finds %i', (maxDecodeDepth, text, count) => {
      expect(createRedactor({ salt, maxDecodeDepth }).scanText(text)).toHaveLength(count);
    });

    it('does not decode tokens longer than maxDecodeBytes', () => {
      const token = base64(`${'padding '.repeat(20)}${FAKE.email}`);
      expect(createRedactor({ salt, maxDecodeBytes: token.length - 1 }).scanText(token)).toEqual([]);
      expect(createRedactor({ salt, maxDecodeBytes: token.length }).scanText(token)).toHaveLength(1);
    });

    it('does not decode binary or word-like runs', () => {
      const redactor = createRedactor({ salt });
      expect(redactor.scanText(Buffer.from([0, 1, 2, 250, 251, 252, 0, 1, 2, 3, 4, 5]).toString('base64'))).toEqual([]);
      expect(redactor.scanText('internationalization_and_localization')).toEqual([]);
    });

    it('decodes base64 of valid UTF-8 only (a byte-order mark is fine, a stray invalid byte is not)', () => {
      const redactor = createRedactor({ salt });
      const text = Buffer.from(`mail ${FAKE.email} now`);
      expect(redactor.scanText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]).toString('base64'))).toHaveLength(1);
      expect(redactor.scanText(Buffer.concat([Buffer.from([0xff]), text]).toString('base64'))).toEqual([]);
      expect(redactor.scanText(Buffer.concat([text, Buffer.from([0xc3])]).toString('base64url'))).toEqual([]);
    });
  });

  describe('pathological input (correctness only)', () => {
    const redactor = createRedactor({ salt });
    it.each([
      ['a long run before @', 'a'.repeat(100_000) + '@'],
      ['a long digit run', '1'.repeat(100_000)],
      ['spaced digits', '1 '.repeat(50_000)],
      ['dashed digits', '1-'.repeat(50_000)],
      ['repeated @', 'a@'.repeat(50_000)],
      ['repeated dots after @', 'x@' + 'a.'.repeat(50_000)],
      ['repeated plus signs', '+1 '.repeat(30_000)],
      ['repeated parentheses', '(1'.repeat(50_000)],
      ['repeated percent escapes', '%41'.repeat(30_000)],
      ['a long base64-like run', 'Ab1+'.repeat(25_000)],
      ['repeated key prefixes', 'sk-'.repeat(30_000)],
      ['zero-width characters', '\u200b'.repeat(100_000)],
      ['repeated character references', '&#64;'.repeat(20_000)],
    ])('%s', (_name, text) => {
      expect(redactor.scanText(text)).toEqual([]);
    });

    it('many unterminated private-key headers', () => {
      const text = ('-----BEGIN ' + 'PRIVATE KEY-----\n').repeat(2_000);
      expect(redactor.scanText(text).every((f) => f.kind === 'private_key')).toBe(true);
      expect(redactor.redactText(text).text).not.toContain('BEGIN');
    });
  });
});
