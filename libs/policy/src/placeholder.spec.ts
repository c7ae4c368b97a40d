import { fullwidth, homoglyphs, percentAll, zeroWidth } from './corpus/evasions';
import { FAKE } from './corpus/fake-values';
import { placeholderFor, placeholderHash } from './placeholder';
import { createRedactor } from './redactor';

const saltA = new TextEncoder().encode('org-a-placeholder-salt');
const saltB = new TextEncoder().encode('org-b-placeholder-salt');

describe('placeholderFor', () => {
  it('formats the label and 8 lower-case hex characters', () => {
    expect(placeholderFor(saltA, 'email', 'jane@example.com')).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
    expect(placeholderFor(saltA, 'credit_card', '4111111111111111')).toMatch(/^\[CREDIT_CARD:[0-9a-f]{8}\]$/);
    expect(placeholderFor(saltA, 'secrets', 'x')).toMatch(/^\[SECRET:[0-9a-f]{8}\]$/);
  });

  it('is HMAC-SHA256(salt, detector:value), first 8 hex', () => {
    // Reference value computed independently: HMAC-SHA256(key="0123456789abcdef", "email:a@b.co").
    const salt = new TextEncoder().encode('0123456789abcdef');
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const expected = createHmac('sha256', salt).update('email:a@b.co').digest('hex').slice(0, 8);
    expect(placeholderHash(salt, 'email', 'a@b.co')).toBe(expected);
    expect(placeholderFor(salt, 'email', 'a@b.co')).toBe(`[EMAIL:${expected}]`);
  });

  it('is stable per salt and value, and differs across salts, values and detectors', () => {
    expect(placeholderFor(saltA, 'email', FAKE.email)).toBe(placeholderFor(saltA, 'email', FAKE.email));
    expect(placeholderFor(saltA, 'email', FAKE.email)).not.toBe(placeholderFor(saltB, 'email', FAKE.email));
    expect(placeholderFor(saltA, 'email', FAKE.email)).not.toBe(placeholderFor(saltA, 'email', FAKE.email2));
    expect(placeholderHash(saltA, 'phone', '123456789')).not.toBe(placeholderHash(saltA, 'ssn', '123456789'));
  });

  it('refuses salts shorter than 16 bytes', () => {
    expect(() => placeholderFor(new Uint8Array(15), 'email', 'x')).toThrow(RangeError);
  });
});

describe('placeholders in redacted text', () => {
  const redactor = createRedactor({ salt: saltA });
  const placeholderOf = (text: string): string | undefined => /\[[A-Z_]+:[0-9a-f]{8}\]/.exec(redactor.redactText(text).text)?.[0];

  it.each([
    ['email', FAKE.email, 'email', FAKE.email],
    ['phone', FAKE.phoneUs, 'phone', '4155550132'],
    ['ssn', FAKE.ssn, 'ssn', '123456789'],
    ['card', FAKE.visa, 'credit_card', '4111111111111111'],
    ['secret', FAKE.openai, 'secrets', FAKE.openai],
  ] as const)('uses the canonical value of a %s', (_name, text, detector, canonical) => {
    expect(placeholderOf(`x ${text} y`)).toBe(placeholderFor(saltA, detector, canonical));
  });

  it.each([
    ['upper case', FAKE.email.toUpperCase()],
    ['fullwidth', fullwidth(FAKE.email)],
    ['zero-width characters', zeroWidth(FAKE.email)],
    ['homoglyphs', homoglyphs(FAKE.email)],
    ['percent-encoding', percentAll(FAKE.email)],
    ['base64', Buffer.from(FAKE.email).toString('base64')],
  ])('is the same for the %s form', (_name, form) => {
    expect(placeholderOf(`mail ${form} now`)).toBe(placeholderFor(saltA, 'email', FAKE.email));
  });

  it('is the same for a card however it is grouped', () => {
    const forms = ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', fullwidth('4111 1111 1111 1111')];
    expect(new Set(forms.map(placeholderOf)).size).toBe(1);
  });
});
