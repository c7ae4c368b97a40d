import { FAKE } from '../corpus/fake-values';
import type { DetectorId } from '../detector-ids';
import { createRedactor } from '../redactor';

const salt = new TextEncoder().encode('detector-spec-salt-0001');
const only = (detector: DetectorId) => createRedactor({ salt, detectors: [detector] });
const all = createRedactor({ salt });

/** The text with each finding's placeholder label only: `call [PHONE] now`. */
function shape(detector: DetectorId, text: string): string {
  return only(detector)
    .redactText(text)
    .text.replace(/\[([A-Z_]+):[0-9a-f]{8}\]/g, '[$1]');
}

describe('email detector', () => {
  it.each([
    ['jane.doe@example.com', '[EMAIL]'],
    ['a@b.co', '[EMAIL]'],
    ['first.last+tag@sub.domain.co.uk', '[EMAIL]'],
    ['x_y-z@my-host.io', '[EMAIL]'],
    ['UPPER@EXAMPLE.COM', '[EMAIL]'],
    ['user@xn--bcher-kva.example', '[EMAIL]'],
    ['josé@example.com', '[EMAIL]'],
    ['дмитрий@почта.рф', '[EMAIL]'],
    ['mail: <jane@example.com>.', 'mail: <[EMAIL]>.'],
    ['"jane@example.com",', '"[EMAIL]",'],
    ['https://u:pw@example.com/x', 'https://u:[EMAIL]/x'],
    ['..jane@example.com', '..[EMAIL]'],
    ['请联系jane@example.com谢谢', '请联系[EMAIL]谢谢'],
  ])('finds %j', (text, expected) => {
    expect(shape('email', text)).toBe(expected);
  });

  it.each([
    '@mention and @types/node',
    'user@localhost',
    'icon@2x.png and logo@3x.webp',
    'npm i lodash@4.17.21',
    'git@github.com:navplane/navplane.git',
    'a@b',
    'foo@bar.c',
    'a@@b.com',
    'name at example dot com',
  ])('ignores %j', (text) => {
    expect(only('email').scanText(text)).toEqual([]);
  });

  it('hashes the lower-cased address', () => {
    const [upper] = all.scanText('JANE.DOE@EXAMPLE.COM');
    const [lower] = all.scanText(FAKE.email);
    expect(upper?.hash).toBe(lower?.hash);
  });
});

describe('phone detector', () => {
  it.each([
    '(415) 555-0132',
    '(415)555-0132',
    '415-555-0132',
    '415.555.0132',
    '415 555 0132',
    '1-415-555-0132',
    '1 (415) 555-0132',
    '+1 415 555 0132',
    '+1 (415) 555-0132',
    '+1-415-555-0132',
    '+1.415.555.0132',
    '+14155550132',
    '+44 20 7946 0958',
    '+44 (0)20 7946 0958',
    '+33 1 23 45 67 89',
    '+49-30-1234567',
    '+91 98765 43210',
    '+8613812345678',
    '020 7946 0958',
    '01 23 45 67 89',
    '(030) 1234 567',
  ])('finds %j', (number) => {
    expect(shape('phone', `call ${number} now`)).toBe('call [PHONE] now');
  });

  it.each([
    ['a number among others', 'room 12 415-555-0132', 'room 12 [PHONE]'],
    ['after a label', 'tel:+14155550132', 'tel:[PHONE]'],
    ['in a list', '415-555-0132, 415-555-0199', '[PHONE], [PHONE]'],
    ['after a glued id', 'abc123 415-555-0132', 'abc123 [PHONE]'],
  ])('finds a number %s', (_name, text, expected) => {
    expect(shape('phone', text)).toBe(expected);
  });

  it.each([
    ['a bare digit run', '4155550132'],
    ['a long digit run', '98765432109876543210'],
    ['an ISO date', '2024-01-15'],
    ['an ISO timestamp', '2024-01-15T10:20:30.123Z'],
    ['a date and time', '2024-01-15 10:20:30+01:00'],
    ['a time', '10:30:45'],
    ['a version', 'v1.2.3 and 2.10.4-beta.1'],
    ['a decimal', '3.14159265358979'],
    ['an IPv4 address', '192.168.100.200'],
    ['a dotted sequence', '1.2.3.4.5.6.7.8'],
    ['a 7-digit local number', '555-0132'],
    ['a too long last group', '415-555-01322'],
    ['a trailing group', '415-555-0132-77'],
    ['mixed separators', '415-555.0132'],
    ['an incomplete number', '(415) 555'],
    ['a signed decimal', '+1.5'],
    ['an ISBN', '978-3-16-148410-0'],
    ['a ZIP+4 code', '94107-1234'],
    ['a card number', '4111 1111 1111 1111'],
    ['an id glued to letters', 'ID-415-555-0132'],
    ['a short international number', '+44 20'],
    ['a date with spaces', '05 12 2023'],
  ])('ignores %s', (_name, text) => {
    expect(only('phone').scanText(text)).toEqual([]);
  });

  it('hashes digits only', () => {
    const hashes = ['(415) 555-0132', '415.555.0132', '415 555 0132'].map((n) => all.scanText(n)[0]?.hash);
    expect(new Set(hashes).size).toBe(1);
  });
});

describe('ssn detector', () => {
  it.each([
    ['a dashed number', 'id 123-45-6789', 'id [SSN]'],
    ['a spaced number after SSN', 'SSN: 123 45 6789', 'SSN: [SSN]'],
    ['an unseparated number after ssn', 'ssn 123456789', 'ssn [SSN]'],
    ['a number after social security', 'social security number is 078-05-1120', 'social security number is [SSN]'],
    ['a number after SS#', 'SS# 123 45 6789', 'SS# [SSN]'],
    ['a number before its label', '123 45 6789 (SSN)', '[SSN] (SSN)'],
  ])('finds %s', (_name, text, expected) => {
    expect(shape('ssn', text)).toBe(expected);
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 900', '900-12-3456'],
    ['area 999', '999-12-3456'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['spaces without context', 'part 123 45 6789'],
    ['no separators without context', 'batch 123456789'],
    ['a longer serial', '123-45-67890'],
    ['a longer area', '1123-45-6789'],
    ['a date', '2023-12-25'],
    ['mixed separators', 'ssn 123-45 6789'],
    ['a number glued to a letter', 'ssn x123456789 and T123-45-6789'],
    ['a number after a decimal point', 'ssn 0.123456789'],
  ])('ignores %s', (_name, text) => {
    expect(only('ssn').scanText(text)).toEqual([]);
  });

  it('finds numbers wherever they fall against the 64 KiB read windows, once each', () => {
    for (let shift = -16; shift <= 4; shift++) {
      const lead = 'x'.repeat(65_536 + shift - 8);
      const text = `${lead} SSN 123 45 6789 and ${'1'.repeat(20)} then 234-56-7890 end`;
      expect(shape('ssn', text).slice(lead.length)).toBe(` SSN [SSN] and ${'1'.repeat(20)} then [SSN] end`);
    }
  });

  it('does not find a number inside a long digit run', () => {
    expect(only('ssn').scanText(`ssn ${'1'.repeat(200_000)}`)).toEqual([]);
  });
});

describe('credit card detector', () => {
  it.each([
    ['Visa, spaced', '4111 1111 1111 1111'],
    ['Visa, dashed', '4111-1111-1111-1111'],
    ['Visa, compact', '4111111111111111'],
    ['Visa, 13 digits', '4222222222222'],
    ['Mastercard 5x', '5555 5555 5555 4444'],
    ['Mastercard 2x', '2223 0031 2200 3222'],
    ['Amex, 4-6-5', '3782 822463 10005'],
    ['Amex, compact', '371449635398431'],
    ['Discover', '6011 1111 1111 1117'],
    ['JCB', '3530 1113 3330 0000'],
    ['Diners, 14 digits', '3056 9309 0259 04'],
    ['UnionPay', '6200000000000005'],
    ['digits one by one', '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
  ])('finds %s', (_name, number) => {
    expect(shape('credit_card', `pay ${number} now`)).toBe('pay [CREDIT_CARD] now');
  });

  it.each([
    ['after other numbers', 'order 12345 4111 1111 1111 1111', 'order 12345 [CREDIT_CARD]'],
    ['glued to a label', 'cc:4111111111111111', 'cc:[CREDIT_CARD]'],
    ['after a dash', 'card-4111111111111111', 'card-[CREDIT_CARD]'],
    ['followed by more digits', '4111 1111 1111 1111 2024', '[CREDIT_CARD] 2024'],
  ])('finds a card %s', (_name, text, expected) => {
    expect(shape('credit_card', text)).toBe(expected);
  });

  it.each([
    ['a Luhn failure', '4111 1111 1111 1112'],
    ['an unknown issuer', '9111 1111 1111 1115'],
    ['a UATP-style prefix', '1234 5678 9012 3452'],
    ['a 20-digit run', '41111111111111111111'],
    ['a 12-digit number', '4111 1111 1117'],
    ['an epoch in milliseconds', '1705314030123'],
    ['a decimal', '0.4111111111111111'],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['mixed separators', '4111 1111-1111 1111'],
  ])('ignores %s', (_name, text) => {
    expect(only('credit_card').scanText(text)).toEqual([]);
  });
});

describe('secrets detector', () => {
  const kindsOf = (text: string): string[] =>
    only('secrets')
      .scanText(text)
      .map((f) => f.kind);

  it.each([
    ['openai_key', 'a legacy OpenAI key', 'sk-' + 'T3BlbkFJ'.repeat(6)],
    ['openai_key', 'an OpenAI project key', FAKE.openai],
    ['openai_key', 'an OpenAI service-account key', 'sk-' + 'svcacct-' + 'Q1w2E3r4T5y6'.repeat(3)],
    ['anthropic_key', 'an Anthropic key', FAKE.anthropic],
    ['navplane_key', 'a NavPlane key', FAKE.navplane],
    ['aws_access_key', 'an AWS access key id', FAKE.aws],
    ['aws_access_key', 'an AWS temporary key id', 'AS' + 'IA' + 'QX7ZT3M4NP5RK2WA'],
    ['github_token', 'a GitHub PAT (classic)', FAKE.github],
    ['github_token', 'a GitHub OAuth token', 'gh' + 'o_' + 'aB3dE5fG7hJ9'.repeat(3)],
    ['github_token', 'a GitHub user-to-server token', 'gh' + 'u_' + 'aB3dE5fG7hJ9'.repeat(3)],
    ['github_token', 'a GitHub server token', 'gh' + 's_' + 'aB3dE5fG7hJ9'.repeat(3)],
    ['github_token', 'a GitHub refresh token', 'gh' + 'r_' + 'aB3dE5fG7hJ9'.repeat(3)],
    ['github_token', 'a fine-grained GitHub PAT', FAKE.githubPat],
    ['private_key', 'an RSA private key', FAKE.privateKey],
    [
      'private_key',
      'a PKCS#8 private key',
      '-----BEGIN ' + 'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ' + 'PRIVATE KEY-----',
    ],
    ['private_key', 'an EC private key', '-----BEGIN ' + 'EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END ' + 'EC PRIVATE KEY-----'],
    [
      'private_key',
      'an OpenSSH private key',
      '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END ' + 'OPENSSH PRIVATE KEY-----',
    ],
    [
      'private_key',
      'an encrypted private key',
      '-----BEGIN ' + 'ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0w\n-----END ' + 'ENCRYPTED PRIVATE KEY-----',
    ],
    ['private_key', 'a key in a code string', '-----BEGIN ' + 'PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END ' + 'PRIVATE KEY-----'],
  ])('finds %s (%s)', (kind, _name, secret) => {
    expect(kindsOf(`value: ${secret} end`)).toEqual([kind]);
    expect(only('secrets').redactText(`value: ${secret} end`).text).toMatch(/^value: \[SECRET:[0-9a-f]{8}\] end$/);
  });

  it.each([
    ['Authorization: Bearer ' + FAKE.bearerToken, 'Authorization: Bearer [SECRET]'],
    ['BEARER ' + FAKE.bearerToken, 'BEARER [SECRET]'],
    ['bearer tok3n-' + 'a1b2c3d4e5f6', 'bearer [SECRET]'],
    ['{"authorization":"Bearer ' + FAKE.bearerToken + '"}', '{"authorization":"Bearer [SECRET]"}'],
  ])('redacts only the token of %j', (text, expected) => {
    expect(shape('secrets', text)).toBe(expected);
  });

  it('redacts a truncated private key up to the end of its body', () => {
    const truncated = '-----BEGIN ' + 'RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\nLYLInFEX6Ppy1tPf\n\nWhy does it fail?';
    expect(shape('secrets', truncated)).toBe('[SECRET]\n\nWhy does it fail?');
  });

  it.each([
    ['prose with sk-', 'see sk-learn-model-selection-guide and task-runner'],
    ['a short sk- token', 'sk-' + 'abc123'],
    ['numpy names', 'np_array_from_buffer(x) and np_float64_convert_values()'],
    ['a short AKIA id', 'AKIA' + 'ABC'],
    ['a too long AKIA run', 'AKIA' + 'QX7ZT3M4NP5RK2WAB'],
    ['a short ghp_ token', 'gh' + 'p_' + 'abc123'],
    ['a short bearer token', 'Bearer abc'],
    ['bearer prose', 'the bearer of this letter and bearer instruments'],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----'],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----'],
    ['a prefix glued to a word', 'task' + 'sk-' + 'T3BlbkFJ'.repeat(6)],
  ])('ignores %s', (_name, text) => {
    expect(kindsOf(text)).toEqual([]);
  });
});

describe('precedence', () => {
  it.each([
    ['a key after Bearer is one OpenAI key', 'Bearer ' + FAKE.openai, ['secrets:openai_key']],
    ['a card is not also a phone', '4111 1111 1111 1111', ['credit_card:credit_card']],
    ['an SSN is not also a phone', 'ssn 123-45-6789', ['ssn:ssn']],
    ['digits inside an email stay in the email', 'john.4155550132@example.com', ['email:email']],
    ['a key before @ wins over the email', FAKE.openai + '@example.com', ['secrets:openai_key']],
  ])('%s', (_name, text, expected) => {
    expect(all.scanText(text).map((f) => `${f.detector}:${f.kind}`)).toEqual(expected);
  });

  it('never produces overlapping replacements', () => {
    const text = `${FAKE.email} ${FAKE.phoneUs} ${FAKE.ssn} ${FAKE.visa} ${FAKE.openai} Bearer ${FAKE.bearerToken}`;
    const { text: out, findings } = all.redactText(text);
    expect(findings.map((f) => f.detector)).toEqual(['email', 'phone', 'ssn', 'credit_card', 'secrets', 'secrets']);
    expect(out.replace(/\[[A-Z_]+:[0-9a-f]{8}\]/g, 'X')).toBe('X X X X X Bearer X');
  });
});
