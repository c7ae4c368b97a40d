import { base64 } from '../corpus/evasions';
import { FAKE, PRIVATE_KEY_BODY_LINE } from '../corpus/fake-values';
import { createRedactor } from '../redactor';
import { createStreamingTextRedactor, DEFAULT_HOLDBACK_CHARS, PRIVATE_KEY_HOLDBACK_CHARS } from './streaming-text-redactor';

const redactor = createRedactor({ salt: new TextEncoder().encode('stream-spec-salt-00001') });
const filler = (words: number, seed = 0): string => Array.from({ length: words }, (_, i) => `word${(i + seed) % 7}`).join(' ');

/** Streams `pieces` and returns the concatenated output. */
function stream(pieces: readonly string[], holdbackChars?: number): { out: string; kinds: string[] } {
  const streaming = createStreamingTextRedactor(redactor, holdbackChars === undefined ? undefined : { holdbackChars });
  let out = '';
  for (const piece of pieces) out += streaming.push(piece);
  out += streaming.end();
  return { out, kinds: streaming.findings().map((f) => f.kind) };
}

const VALUES: readonly (readonly [string, string, string])[] = [
  ['an email', FAKE.email, FAKE.email],
  ['a card', FAKE.visa, FAKE.visa],
  ['a phone number', FAKE.phoneUs, FAKE.phoneUs],
  ['an OpenAI key', FAKE.openai, FAKE.openai],
  ['an AWS key id', FAKE.aws, FAKE.aws],
  ['a bearer token', `Authorization: Bearer ${FAKE.bearerToken}`, FAKE.bearerToken],
  ['an SSN after its label', `my SSN is 123 45 6789`, '123 45 6789'],
  ['a percent-encoded email', 'jane.doe%40example.com', 'jane.doe%40example.com'],
  ['a base64-encoded email', base64(`to ${FAKE.email}`), base64(`to ${FAKE.email}`)],
  ['a private key', FAKE.privateKey, PRIVATE_KEY_BODY_LINE],
  ['an email with a NUL inside', FAKE.email.replace('@', '\u0000@'), FAKE.email.replace('@', '\u0000@')],
  [
    'an AWS key id with a BEL inside',
    `${FAKE.aws.slice(0, 8)}\u0007${FAKE.aws.slice(8)}`,
    `${FAKE.aws.slice(0, 8)}\u0007${FAKE.aws.slice(8)}`,
  ],
  ['a card with vertical tabs and form feeds', FAKE.visaCompact.replace(/(\d{4})(?=\d)/g, '$1\u000b\u000c'), '4111\u000b\u000c1111'],
  ['a phone with NELs and a braille blank', '(415)\u0085 555\u2800-0132', '555\u2800-0132'],
  [
    'an OpenAI key with a lone surrogate and U+FFFC',
    `${FAKE.openai.slice(0, 12)}\ud800${FAKE.openai.slice(12, 30)}\ufffc${FAKE.openai.slice(30)}`,
    FAKE.openai.slice(12, 30),
  ],
];

describe('createStreamingTextRedactor', () => {
  describe.each(VALUES)('with %s split across two pushes', (_name, value, raw) => {
    const text = `${filler(80)} ${value} ${filler(80, 3)}`;
    const whole = redactor.redactText(text);
    const at = text.indexOf(value);

    it('equals redactText of the whole text and never emits the raw value, for every split position', () => {
      for (let k = at - 2; k <= at + value.length + 2; k++) {
        const { out } = stream([text.slice(0, k), text.slice(k)]);
        expect(out).toBe(whole.text);
        expect(out).not.toContain(raw);
      }
    });

    it('gives the same result pushed one character at a time', () => {
      const { out, kinds } = stream([...text]);
      expect(out).toBe(whole.text);
      expect(kinds).toEqual(whole.findings.map((f) => f.kind));
    });
  });

  it('holds back at most holdbackChars of clean text', () => {
    for (const holdbackChars of [undefined, 64, 100]) {
      const limit = holdbackChars ?? DEFAULT_HOLDBACK_CHARS;
      const streaming = createStreamingTextRedactor(redactor, holdbackChars === undefined ? undefined : { holdbackChars });
      const text = filler(3_000);
      let pushed = 0;
      let emitted = 0;
      for (let i = 0; i < text.length; i += 7) {
        const piece = text.slice(i, i + 7);
        pushed += piece.length;
        emitted += streaming.push(piece).length;
        expect(pushed - emitted).toBeLessThanOrEqual(limit);
      }
      expect(emitted + streaming.end().length).toBe(text.length);
    }
  });

  it('emits a long clean text pushed at once except for the holdback', () => {
    const streaming = createStreamingTextRedactor(redactor);
    const text = filler(2_000);
    expect(text.length - streaming.push(text).length).toBeLessThanOrEqual(DEFAULT_HOLDBACK_CHARS);
  });

  it('holds an unterminated private key until its END line arrives', () => {
    const streaming = createStreamingTextRedactor(redactor);
    const lines = FAKE.privateKey.split('\n');
    let out = streaming.push(`${filler(100)}\n${lines[0]}\n`);
    for (const line of lines.slice(1, -1)) out += streaming.push(`${line}\n`.repeat(5));
    expect(out).not.toContain('BEGIN');
    out += streaming.push(`${lines[lines.length - 1]}\n${filler(100)}`) + streaming.end();
    expect(out).toMatch(/\[SECRET:[0-9a-f]{8}\]\nword0/);
    expect(out).not.toContain(PRIVATE_KEY_BODY_LINE);
    expect(out).not.toContain('BEGIN');
  });

  it(`emits a private key longer than ${PRIVATE_KEY_HOLDBACK_CHARS} characters as one placeholder and drops the rest`, () => {
    const streaming = createStreamingTextRedactor(redactor);
    const body = `${PRIVATE_KEY_BODY_LINE}\n`.repeat(400);
    const [begin, , , , end] = FAKE.privateKey.split('\n');
    let out = streaming.push(`intro\n${begin}\n`);
    for (let i = 0; i < body.length; i += 500) out += streaming.push(body.slice(i, i + 500));
    out += streaming.push(`${end}\nafter the key ${filler(60)}`) + streaming.end();
    expect(out.startsWith('intro\n[SECRET:')).toBe(true);
    expect(out).not.toContain(PRIVATE_KEY_BODY_LINE.slice(0, 20));
    expect(out).not.toContain('END');
    expect(out).toContain('after the key');
    expect(streaming.findings().map((f) => f.kind)).toEqual(['private_key']);
  });

  it('never emits a secret longer than the holdback raw', () => {
    const secret = 'sk-' + 'proj-' + 'Zx9Yw8'.repeat(60);
    const text = `${filler(50)} ${secret} ${filler(50)}`;
    for (const size of [1, 13, 64, 500]) {
      const pieces: string[] = [];
      for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
      const { out, kinds } = stream(pieces, 64);
      expect(out).not.toContain('Zx9Yw8Zx9Yw8');
      expect(out).toContain(filler(50, 0).slice(-20));
      expect(kinds).toContain('openai_key');
    }
  });

  it('reports findings for what was emitted', () => {
    const streaming = createStreamingTextRedactor(redactor);
    streaming.push(`${FAKE.email} ${filler(100)}`);
    expect(streaming.findings().map((f) => f.kind)).toEqual(['email']);
    streaming.push(` ${FAKE.visa}`);
    streaming.end();
    expect(streaming.findings().map((f) => f.kind)).toEqual(['email', 'credit_card']);
  });

  it('refuses pushes after end and holdbacks below 64', () => {
    const streaming = createStreamingTextRedactor(redactor);
    expect(streaming.end()).toBe('');
    expect(() => streaming.push('x')).toThrow();
    expect(() => createStreamingTextRedactor(redactor, { holdbackChars: 10 })).toThrow(RangeError);
  });
});
