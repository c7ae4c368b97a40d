import { expect } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { isPolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactor } from '../redactor';
import { decodeBody, evaluateBody, PREFIX_HOLDBACK_CHARS, type BodyInput } from './evaluate-body';

const redactor = createRedactor({ salt: new TextEncoder().encode('evaluate-body-spec-salt') });
const options = (mode: 'scan' | 'redact' = 'redact') => ({ mode, maxBytes: 1_000_000, deadline: performance.now() + 5000 });
const EMAIL = 'jane.doe@example.com';

describe('evaluateBody', () => {
  it('redacts a JSON body and returns the rewritten text with its findings', () => {
    const input: BodyInput = { bytes: Buffer.from(JSON.stringify({ input: `mail ${EMAIL}` })), kind: 'json' };
    const result = evaluateBody(redactor, input, options());
    expect(result).toMatchObject({ ok: true, rewritten: true, findings: [{ detector: 'email', field: 'input' }] });
    expect(result.ok && JSON.parse(result.text)).toEqual({ input: expect.stringMatching(/^mail \[EMAIL:[0-9a-f]{8}\]$/) });
  });

  it('returns the decoded text unchanged in scan mode, or when nothing is found', () => {
    const text = JSON.stringify({ input: `mail ${EMAIL}` });
    expect(evaluateBody(redactor, { bytes: gzipSync(text), contentEncoding: 'gzip', kind: 'json' }, options('scan'))).toMatchObject({
      ok: true,
      text,
      rewritten: false,
      findings: [{ detector: 'email' }],
    });
    const clean = JSON.stringify({ input: 'nothing here' });
    expect(evaluateBody(redactor, { bytes: Buffer.from(clean), kind: 'json' }, options())).toEqual({
      ok: true,
      text: clean,
      rewritten: false,
      findings: [],
    });
  });

  it('reads a text/plain body as text, or as JSON when it holds a document', () => {
    expect(evaluateBody(redactor, { bytes: Buffer.from(`mail ${EMAIL}`), kind: 'text' }, options())).toMatchObject({
      ok: true,
      text: expect.stringMatching(/^mail \[EMAIL:[0-9a-f]{8}\]$/),
      findings: [{ field: '$' }],
    });
    expect(evaluateBody(redactor, { bytes: Buffer.from(JSON.stringify({ a: EMAIL })), kind: 'text' }, options())).toMatchObject({
      findings: [{ field: 'a' }],
    });
  });

  it('returns why bytes cannot be read as a value, and throws evaluation failures', () => {
    expect(evaluateBody(redactor, { bytes: Buffer.from('x'), contentEncoding: 'zstd', kind: 'json' }, options())).toEqual({
      ok: false,
      reason: 'unsupported_content_encoding',
    });
    expect(evaluateBody(redactor, { bytes: Buffer.alloc(2000, 0x20), kind: 'json' }, { ...options(), maxBytes: 1024 })).toEqual({
      ok: false,
      reason: 'too_large',
    });
    const thrown = (input: BodyInput, deadline?: number) => {
      try {
        evaluateBody(redactor, input, { ...options(), ...(deadline === undefined ? {} : { deadline }) });
      } catch (error) {
        return isPolicyEvaluationError(error) ? error.reason : error;
      }
      return undefined;
    };
    expect(thrown({ bytes: Buffer.from('{"a":'), kind: 'json' })).toBe('unparseable');
    expect(thrown({ bytes: Buffer.from('{"a":1}'), kind: 'json' }, performance.now() - 1)).toBe('timeout');
  });
});

describe('decodeBody of a prefix (complete: false)', () => {
  it('drops the last PREFIX_HOLDBACK_CHARS characters and an incomplete UTF-8 sequence, and undoes JSON escapes', () => {
    const text = `{"input":"caf\\u00e9 \\/ ${'é'.repeat(400)}`;
    const bytes = Buffer.from(text).subarray(0, Buffer.byteLength(text) - 1); // cut inside the last 'é'
    const decoded = decodeBody({ bytes, kind: 'json', complete: false }, 1_000_000);
    expect(decoded).toMatchObject({ ok: true, prefix: true });
    expect(decoded.ok && decoded.text).toBe(`{"input":"café / ${'é'.repeat(399 - PREFIX_HOLDBACK_CHARS)}`);
  });

  it('refuses a compressed prefix and one that is not UTF-8', () => {
    expect(decodeBody({ bytes: Buffer.from('abc'), contentEncoding: 'gzip', kind: 'json', complete: false }, 100)).toEqual({
      ok: false,
      reason: 'unsupported_content_encoding',
    });
    expect(decodeBody({ bytes: Buffer.from([0x61, 0xff, 0x61, 0x61]), kind: 'text', complete: false }, 100)).toEqual({
      ok: false,
      reason: 'unparseable',
    });
  });

  it('is redacted as plain text by evaluateBody', () => {
    const text = JSON.stringify({ input: `mail ${EMAIL} ${'x'.repeat(1000)}` });
    const result = evaluateBody(redactor, { bytes: Buffer.from(text), kind: 'json', complete: false }, options());
    expect(result).toMatchObject({ ok: true, rewritten: true, findings: [{ field: '$' }] });
    expect(result.ok && result.text).toMatch(/^\{"input":"mail \[EMAIL:[0-9a-f]{8}\] x+$/);
  });
});
