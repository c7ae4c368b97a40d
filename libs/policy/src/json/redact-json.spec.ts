import { expect } from '@jest/globals';
import { FAKE } from '../corpus/fake-values';
import type { FieldFinding } from '../finding';
import { placeholderFor } from '../placeholder';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactor, type Redactor } from '../redactor';
import { MAX_JSON_DEPTH, redactJson } from './redact-json';
import { redactPlainText } from './redact-plain-text';

const salt = new TextEncoder().encode('json-spec-salt-000001');
const redactor = createRedactor({ salt });
const EMAIL = placeholderFor(salt, 'email', FAKE.email);
const CARD = placeholderFor(salt, 'credit_card', FAKE.visaCompact.replace(/\D/g, ''));
const AWS = placeholderFor(salt, 'secrets', FAKE.aws);
/** The fake AWS key id cut in two (`AKIA…` + the rest). */
const AWS_HEAD = FAKE.aws.slice(0, 8);
const AWS_TAIL = FAKE.aws.slice(8);
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"/g;

const fieldsOf = (findings: readonly FieldFinding[]): string[] => findings.map((f) => `${f.field} ${f.detector}`);
const redact = (body: unknown) => redactJson(redactor, typeof body === 'string' ? body : JSON.stringify(body), { mode: 'redact' });

/** Fails unless `after` has the same shape as `before` with only string values (and keys) changed. */
function expectSameShape(before: unknown, after: unknown): void {
  if (typeof before === 'string') {
    expect(typeof after).toBe('string');
  } else if (Array.isArray(before)) {
    expect(Array.isArray(after)).toBe(true);
    expect((after as unknown[]).length).toBe(before.length);
    before.forEach((item, i) => expectSameShape(item, (after as unknown[])[i]));
  } else if (before !== null && typeof before === 'object') {
    const beforeValues = Object.values(before);
    const afterValues = Object.values(after as object);
    expect(afterValues.length).toBe(beforeValues.length);
    beforeValues.forEach((item, i) => expectSameShape(item, afterValues[i]));
  } else {
    expect(after).toEqual(before);
  }
}

describe('redactJson', () => {
  describe('document structure', () => {
    const body = JSON.stringify(
      {
        model: 'gpt-4o',
        temperature: 0.2,
        stream: true,
        stop: null,
        messages: [
          { role: 'system', content: 'You are helpful. Escalate to ops@example.com.' },
          { role: 'user', content: `My card is ${FAKE.visa}, my phone ${FAKE.phoneUs}. Ünïcödé ✓ "quoted" \\ back\nline` },
        ],
        metadata: { [FAKE.email]: 'owner', n: [1, 2.5e3, -0.5, true, false, null] },
      },
      null,
      2,
    );

    it('rewrites only string tokens, keeping every other byte', () => {
      const { text } = redact(body);
      expect(text).toBeDefined();
      expect(text!.replace(STRING_TOKEN, '""')).toBe(body.replace(STRING_TOKEN, '""'));
      expectSameShape(JSON.parse(body), JSON.parse(text!));
    });

    it('re-encodes rewritten strings as JSON and keeps the rest of their text', () => {
      const parsed = JSON.parse(redact(body).text!) as { messages: { content: string }[] };
      expect(parsed.messages[1]?.content).toMatch(
        /^My card is \[CREDIT_CARD:[0-9a-f]{8}\], my phone \[PHONE:[0-9a-f]{8}\]\. Ünïcödé ✓ "quoted" \\ back\nline$/,
      );
    });

    it('returns no text when nothing was found, and never text in scan mode', () => {
      expect(redact({ messages: [{ role: 'user', content: 'hello' }] })).toEqual({ findings: [] });
      const scanned = redactJson(redactor, body, { mode: 'scan' });
      expect(scanned.text).toBeUndefined();
      expect(scanned.findings).toEqual(redact(body).findings);
    });

    it('lists findings in document order with their fields', () => {
      expect(fieldsOf(redact(body).findings)).toEqual([
        'messages[0].content email',
        'messages[1].content credit_card',
        'messages[1].content phone',
        `metadata["${EMAIL}"] email`,
      ]);
    });

    it(`walks documents nested ${MAX_JSON_DEPTH} deep without recursion, with the field of a deep value`, () => {
      const deep = '['.repeat(MAX_JSON_DEPTH) + JSON.stringify(FAKE.email) + ']'.repeat(MAX_JSON_DEPTH);
      const { findings, text } = redactJson(redactor, deep, { mode: 'redact' });
      expect(fieldsOf(findings)).toEqual([`${'[0]'.repeat(MAX_JSON_DEPTH)} email`]);
      expect(text).toBe('['.repeat(MAX_JSON_DEPTH) + `"${EMAIL}"` + ']'.repeat(MAX_JSON_DEPTH));
    });

    it('reports the right field for values in wide and deep arrays of strings', () => {
      const depth = MAX_JSON_DEPTH - 1;
      const deep = '["a",'.repeat(depth) + `[${'"b ",'.repeat(50)}${JSON.stringify(FAKE.email)}]` + ']'.repeat(depth);
      expect(fieldsOf(redactJson(redactor, deep, { mode: 'scan' }).findings)).toEqual([`${'[1]'.repeat(depth)}[50] email`]);
      const members = { a: { b: [{ c: 'x' }, { d: ['y', 'z', { 'e.f': [FAKE.email] }] }] } };
      expect(fieldsOf(redact(members).findings)).toEqual(['a.b[1].d[2]["e.f"][0] email']);
    });

    it.each([
      ['arrays', '[', ']', '1'],
      ['objects', '{"a":', '}', '1'],
      ['arrays of strings (the quadratic-path shape)', '["a",', ']', '1'],
      ['a mix of both', '[{"k":', '}]', '"v"'],
    ])(`rejects %s nested deeper than ${MAX_JSON_DEPTH} as unparseable`, (_name, open, close, inner) => {
      const levels = open.split(/[[{]/).length - 1;
      const nest = (depth: number): string => open.repeat(depth / levels) + inner + close.repeat(depth / levels);
      const ok = MAX_JSON_DEPTH - (MAX_JSON_DEPTH % levels);
      expect(() => redactJson(redactor, nest(ok), { mode: 'scan' })).not.toThrow();
      const tooDeep = ok + levels;
      expect(() => redactJson(redactor, nest(tooDeep), { mode: 'scan' })).toThrow(
        expect.objectContaining({ name: 'PolicyEvaluationError', reason: 'unparseable' }),
      );
      expect(() => redactJson(redactor, nest(14_000 - (14_000 % levels)), { mode: 'scan' })).toThrow(
        expect.objectContaining({ reason: 'unparseable' }),
      );
    });

    it(`rejects depth ${MAX_JSON_DEPTH + 1} exactly`, () => {
      const at = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
      expect(redactJson(redactor, at(MAX_JSON_DEPTH), { mode: 'scan' })).toEqual({ findings: [] });
      expect(() => redactJson(redactor, at(MAX_JSON_DEPTH + 1), { mode: 'scan' })).toThrow(
        expect.objectContaining({ reason: 'unparseable' }),
      );
    });
  });

  describe('duplicate keys', () => {
    it.each([
      ['the last duplicate', `{"messages":[{"role":"user","content":"hi","content":"${FAKE.email}"}]}`],
      ['the first duplicate', `{"messages":[{"role":"user","content":"${FAKE.email}","content":"hi"}]}`],
    ])('finds a value in %s', (_name, body) => {
      const { findings, text } = redactJson(redactor, body, { mode: 'redact' });
      expect(fieldsOf(findings)).toEqual(['messages[0].content email']);
      expect(text).toContain(EMAIL);
      expect(text).not.toContain(FAKE.email);
      expect((text!.match(/"content"/g) ?? []).length).toBe(2);
    });
  });

  describe('invalid JSON', () => {
    it.each([
      ['an empty body', ''],
      ['only whitespace', '  \n'],
      ['a trailing comma', '{"a":1,}'],
      ['a trailing array comma', '[1,2,]'],
      ['a leading zero', '{"a":01}'],
      ['a bare decimal point', '{"a":1.}'],
      ['trailing garbage', '{"a":1} x'],
      ['two documents', '{} {}'],
      ['a bad escape', '{"a":"\\q"}'],
      ['a short \\u escape', '{"a":"\\u12"}'],
      ['a raw control character', '{"a":"x\u0001y"}'],
      ['a raw newline in a string', '{"a":"x\ny"}'],
      ['single quotes', "{'a':1}"],
      ['an unquoted key', '{a:1}'],
      ['NaN', '{"a":NaN}'],
      ['a comment', '{"a":1 /* c */}'],
      ['a missing colon', '{"a" 1}'],
      ['an unclosed object', '{"a":1'],
      ['an unterminated string', '{"a":"b'],
      ['an extra closing bracket', '[1]]'],
      ['a mismatched bracket', '[1}'],
      ['a byte order mark', '\ufeff{}'],
      ['a misspelt literal', '[tru]'],
    ])('rejects %s as unparseable', (_name, body) => {
      expect(() => redactJson(redactor, body, { mode: 'scan' })).toThrow(
        expect.objectContaining({ name: 'PolicyEvaluationError', reason: 'unparseable' }),
      );
    });

    it.each([
      ['a top-level string', `"${FAKE.email}"`, 1],
      ['a top-level number', '-1.5e-3', 0],
      ['a top-level literal', ' null ', 0],
      ['empty containers', '{"a":{},"b":[],"c":[{}]}', 0],
      ['lone surrogate escapes', '{"a":"\\ud800 and \\udc00"}', 0],
      ['all simple escapes', '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t"}', 0],
      ['whitespace everywhere', ' \t\r\n{ "a" : [ 1 , "x" ] } \n', 0],
    ])('accepts %s', (_name, body, count) => {
      expect(redactJson(redactor, body, { mode: 'scan' }).findings).toHaveLength(count);
    });

    it('reports a top-level string as field $', () => {
      expect(fieldsOf(redactJson(redactor, `"${FAKE.email}"`, { mode: 'scan' }).findings)).toEqual(['$ email']);
    });
  });

  describe('deadline', () => {
    it('throws timeout when the deadline has passed', () => {
      expect(() => redactJson(redactor, '{"a":"b"}', { mode: 'scan', deadline: performance.now() - 1 })).toThrow(
        expect.objectContaining({ reason: 'timeout' }),
      );
    });

    it('finishes before a future deadline', () => {
      expect(redactJson(redactor, '{"a":"b"}', { mode: 'scan', deadline: performance.now() + 60_000 })).toEqual({ findings: [] });
    });

    it('throws PolicyEvaluationError instances', () => {
      expect(() => redactJson(redactor, '{', { mode: 'scan' })).toThrow(PolicyEvaluationError);
    });

    describe('with a clock that passes the deadline right after the first look', () => {
      let now: jest.SpyInstance<number, []>;
      beforeEach(() => {
        let calls = 0;
        now = jest.spyOn(performance, 'now').mockImplementation(() => (calls++ === 0 ? 0 : 10_000));
      });
      afterEach(() => now.mockRestore());

      const prose = 'The quick brown fox jumps over the lazy dog, 12 times. '.repeat(20_000);
      it.each([
        ['one long string', JSON.stringify({ messages: [{ role: 'user', content: prose }] })],
        ['one long non-ASCII string', JSON.stringify({ input: prose.replace(/o/g, 'о') })],
        ['many short strings', JSON.stringify({ input: Array.from({ length: 20_000 }, (_, i) => `line ${i}`) })],
        ['many numbers and literals', `[${'123456789012,true,null,'.repeat(20_000)}0]`],
        ['a long joined array', JSON.stringify({ input: prose.match(/.{1,40}/g) })],
      ])('stops inside %s', (_name, body) => {
        expect(() => redactJson(redactor, body, { mode: 'scan', deadline: 1_000 })).toThrow(expect.objectContaining({ reason: 'timeout' }));
      });

      it('stops inside one long plain-text body', () => {
        expect(() => redactPlainText(redactor, prose, { mode: 'scan', deadline: 1_000 })).toThrow(
          expect.objectContaining({ reason: 'timeout' }),
        );
      });
    });
  });

  it('requires a redactor from createRedactor', () => {
    const fake: Redactor = { redactText: (text) => ({ text, findings: [] }), scanText: () => [] };
    expect(() => redactJson(fake, '{}', { mode: 'scan' })).toThrow(TypeError);
  });

  describe('OpenAI chat completions', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: `Support line ${FAKE.phoneIntl}` },
        {
          role: 'user',
          content: [
            { type: 'text', text: `I am ${FAKE.email}` },
            { type: 'image_url', image_url: { url: 'https://img.example/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'charge', arguments: JSON.stringify({ card: FAKE.visa, note: 'ok' }) } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ receipt: 'sent', ssn: FAKE.ssn }) },
      ],
      tools: [{ type: 'function', function: { name: 'charge', description: `Uses key ${FAKE.openai}`, parameters: { type: 'object' } } }],
      user: FAKE.email2,
    };

    it('finds values in every message kind, tool call arguments and tool definitions', () => {
      expect(fieldsOf(redact(body).findings)).toEqual([
        'messages[0].content phone',
        'messages[1].content[0].text email',
        'messages[2].tool_calls[0].function.arguments credit_card',
        'messages[3].content ssn',
        'tools[0].function.description secrets',
        'user email',
      ]);
    });

    it('keeps tool call arguments valid JSON with the value replaced', () => {
      const parsed = JSON.parse(redact(body).text!) as typeof body;
      const args = JSON.parse(parsed.messages[2]!.tool_calls![0]!.function.arguments) as { card: string; note: string };
      expect(args).toEqual({ card: placeholderFor(salt, 'credit_card', '4111111111111111'), note: 'ok' });
    });
  });

  describe('OpenAI Responses API', () => {
    it('finds values in a string input', () => {
      expect(fieldsOf(redact({ model: 'gpt-4.1', input: `mail ${FAKE.email}`, instructions: `call ${FAKE.phoneUs}` }).findings)).toEqual([
        'input email',
        'instructions phone',
      ]);
    });

    it('finds values in an array input of messages and items', () => {
      const body = {
        model: 'gpt-4.1',
        input: [
          { role: 'user', content: [{ type: 'input_text', text: `hi ${FAKE.email}` }] },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: JSON.stringify({ key: FAKE.aws }) },
          { type: 'function_call_output', call_id: 'c1', output: `card ${FAKE.amex}` },
        ],
      };
      expect(fieldsOf(redact(body).findings)).toEqual([
        'input[0].content[0].text email',
        'input[1].arguments secrets',
        'input[2].output credit_card',
      ]);
    });
  });

  describe('Anthropic messages', () => {
    it('finds values in a string system prompt', () => {
      expect(fieldsOf(redact({ model: 'claude', max_tokens: 10, system: `owner ${FAKE.email}`, messages: [] }).findings)).toEqual([
        'system email',
      ]);
    });

    it('finds values in system blocks and every content block kind', () => {
      const body = {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: [{ type: 'text', text: `escalate to ${FAKE.phoneUs}` }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: `ssn ${FAKE.ssn}` }] },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'tu', name: 'lookup', input: { email: FAKE.email, nested: { card: FAKE.visa } } }],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'tu', content: `found ${FAKE.github}` },
              { type: 'tool_result', tool_use_id: 'tu2', content: [{ type: 'text', text: `key ${FAKE.anthropic}` }] },
            ],
          },
        ],
      };
      expect(fieldsOf(redact(body).findings)).toEqual([
        'system[0].text phone',
        'messages[0].content[0].text ssn',
        'messages[1].content[0].input.email email',
        'messages[1].content[0].input.nested.card credit_card',
        'messages[2].content[0].content secrets',
        'messages[2].content[1].content[0].text secrets',
      ]);
    });
  });

  describe('metadata', () => {
    it('finds values in keys and values, and never shows a key raw in a field', () => {
      const { findings, text } = redact({ metadata: { [FAKE.email]: 'x', 'team.lead': FAKE.email2, note: FAKE.phoneUs } });
      expect(fieldsOf(findings)).toEqual([`metadata["${EMAIL}"] email`, 'metadata["team.lead"] email', 'metadata.note phone']);
      expect(JSON.stringify(findings)).not.toContain('example');
      expect(Object.keys((JSON.parse(text!) as { metadata: object }).metadata)).toEqual([EMAIL, 'team.lead', 'note']);
    });
  });

  describe('values split across string fields', () => {
    it('redacts each piece: the first gets the placeholder, later ones lose their share', () => {
      const body = {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'mail jane.doe@exa' },
              { type: 'text', text: 'mple.com today' },
            ],
          },
        ],
      };
      const { findings, text } = redact(body);
      expect(findings).toEqual([
        { detector: 'email', kind: 'email', hash: EMAIL.slice(7, 15), via: 'split', field: 'messages[0].content[0].text' },
      ]);
      const parts = (JSON.parse(text!) as typeof body).messages[0]!.content;
      expect(parts.map((p) => p.text)).toEqual([`mail ${EMAIL}`, ' today']);
    });

    it.each([
      ['consecutive string elements', { input: ['key AK' + 'IA', 'QX7ZT3M4NP5RK2WA now'] }, ['input[0] secrets']],
      [
        'content parts around a non-text part',
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: '4111 1111 ' },
                { type: 'image_url', image_url: { url: 'u' } },
                { type: 'text', text: '1111 1111' },
              ],
            },
          ],
        },
        ['messages[0].content[0].text credit_card'],
      ],
      [
        'consecutive messages',
        {
          messages: [
            { role: 'user', content: 'call (415) 555-' },
            { role: 'user', content: '0132' },
          ],
        },
        ['messages[0].content phone'],
      ],
      ['a label in the previous part', { input: ['my ssn is', ' 123 45 6789'] }, ['input[1] ssn']],
      ['many tiny parts', { input: [...FAKE.email].map((c) => c) }, ['input[0] email']],
    ])('catches %s', (_name, body, expected) => {
      expect(fieldsOf(redact(body).findings)).toEqual(expected);
      const text = redact(body).text!;
      expect(JSON.stringify(JSON.parse(text))).not.toMatch(/QX7ZT3M4|1111 1111|555-|0132|123 45|jane/);
    });

    it('does not report a value twice when one part holds it whole', () => {
      expect(fieldsOf(redact({ input: [`mail ${FAKE.email}.`, 'And more'] }).findings)).toEqual(['input[0] email']);
      expect(fieldsOf(redact({ input: ['call 415-555-0132', '7 times'] }).findings)).toEqual(['input[0] phone']);
    });

    it('extends a value that runs on into the next part', () => {
      const { findings, text } = redact({ input: ['mail jane.doe@example.co', 'm today'] });
      expect(findings.map((f) => `${f.field} ${f.via}`)).toEqual(['input[0] plain', 'input[0] split']);
      expect((JSON.parse(text!) as { input: string[] }).input).toEqual([`mail ${EMAIL}`, ' today']);
    });

    it('does not join parts of different arrays or non-text members', () => {
      const body = {
        a: ['jane.doe@exa'],
        b: ['mple.com'],
        c: [
          { type: 'x', title: 'jane.doe@exa' },
          { type: 'x', title: 'mple.com' },
        ],
      };
      expect(redact(body).findings).toEqual([]);
    });
  });
});

describe('redactJson: numbers', () => {
  const card = Number(FAKE.visaCompact);

  it.each([
    ['a card', `{"card":${FAKE.visaCompact}}`, ['card credit_card']],
    ['a card under any key', `{"n":${FAKE.visaCompact}}`, ['n credit_card']],
    ['a negative card', `{"n":-${FAKE.visaCompact}}`, ['n credit_card']],
    ['a card with an exponent', `{"n":${FAKE.visaCompact}e0}`, ['n credit_card']],
    ['an SSN under an ssn key', '{"ssn":123456789}', ['ssn ssn']],
    ['an SSN under a snake_case key', '{"customer_ssn":123456789}', ['customer_ssn ssn']],
    ['an SSN under a camelCase key', '{"socialSecurityNumber":123456789}', ['socialSecurityNumber ssn']],
    ['an SSN in an array under an ssn key', '{"ssns":[123456789,234567890]}', ['ssns[0] ssn', 'ssns[1] ssn']],
    ['a phone under a phone key', '{"phone":4155550132}', ['phone phone']],
    ['a phone with country code under a mobile key', '{"mobileNumber":14155550132}', ['mobileNumber phone']],
    ['a phone under a tel key', '{"tel":4155550132}', ['tel phone']],
    [
      'the reviewed tool_use input',
      `{"input":{"card":${FAKE.visaCompact},"ssn":123456789,"phone":4155550132}}`,
      ['input.card credit_card', 'input.ssn ssn', 'input.phone phone'],
    ],
  ])('finds %s', (_name, body, expected) => {
    expect(fieldsOf(redactJson(redactor, body, { mode: 'scan' }).findings)).toEqual(expected);
    const { text } = redactJson(redactor, body, { mode: 'redact' });
    expect(text).toBeDefined();
    expect(text).not.toMatch(/4111111111111111|123456789|234567890|4155550132/);
    JSON.parse(text!);
  });

  it.each([
    ['a bare 10-digit number', '{"id":4155550132}'],
    ['a 10-digit number under a key that only contains "tel"', '{"hotel_id":4155550132,"telemetry":4155550132}'],
    ['a 9-digit number without an SSN key', '{"count":123456789}'],
    ['an invalid SSN under an ssn key', '{"ssn":666123456}'],
    ['a Luhn failure', '{"order":4111111111111112}'],
    ['a long timestamp', '{"ts":1705314030123}'],
    ['floats and short integers', '{"v":[0.4111111111111111,-0.5,2.5e3,12,1234567]}'],
    ['an 8-digit number under a phone key', '{"phone":41555501}'],
  ])('leaves %s alone', (_name, body) => {
    expect(redactJson(redactor, body, { mode: 'redact' })).toEqual({ findings: [] });
  });

  it('replaces a number holding a value with its placeholder as a JSON string, keeping every other byte', () => {
    const body = `{ "amount": 12.5, "card": ${FAKE.visaCompact} , "n": [1, ${FAKE.visaCompact}] }`;
    const { text } = redactJson(redactor, body, { mode: 'redact' });
    expect(text).toBe(`{ "amount": 12.5, "card": "${CARD}" , "n": [1, "${CARD}"] }`);
    expect(JSON.parse(text!)).toEqual({ amount: 12.5, card: CARD, n: [1, CARD] });
    expect(card).toBeGreaterThan(0);
  });
});

describe('redactJson: member keys as context', () => {
  it.each([
    ['an unlabelled SSN string under an ssn key', { ssn: '123456789' }, ['ssn ssn']],
    ['a spaced SSN string under an SS# key', { 'SS#': '123 45 6789' }, ['["SS#"] ssn']],
    ['a bare phone string under a phone key', { contact: { phoneNumber: '4155550132' } }, ['contact.phoneNumber phone']],
    ['a fullwidth phone key', { ｐｈｏｎｅ: '4155550132' }, ['["ｐｈｏｎｅ"] phone']],
  ])('finds %s', (_name, body, expected) => {
    expect(fieldsOf(redact(body).findings)).toEqual(expected);
  });

  it.each([
    ['a bare phone string under another key', { id: '4155550132' }],
    ['an unlabelled SSN string under another key', { batch: '123456789' }],
    ['an SSN key whose value is an object', { ssn: { batch: 123456789 } }],
    ['a key that holds the context word far from the number', { ssn: `${'x'.repeat(60)} 123456789` }],
  ])('leaves %s alone', (_name, body) => {
    expect(redact(body).findings).toEqual([]);
  });
});

describe('redactJson: what one document scans does not change what the next one finds', () => {
  it('finds a value under a context key after the same text was clean without one, and the other way round', () => {
    // The engine remembers texts that were clean with no context; a member key's context must still apply.
    const fresh = createRedactor({ salt });
    const scan = (body: unknown) => fieldsOf(redactJson(fresh, JSON.stringify(body), { mode: 'redact' }).findings);
    for (let round = 0; round < 3; round++) {
      expect(scan({ id: '4155550132', batch: '123456789' })).toEqual([]);
      expect(scan({ phone: '4155550132', ssn: '123456789' })).toEqual(['phone phone', 'ssn ssn']);
    }
  });

  it('reads member keys the same way past the number of keys it remembers', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `field${i}`);
    const body = Object.fromEntries(keys.map((key) => [key, '4155550132']));
    expect(redact(body).findings).toEqual([]);
    expect(fieldsOf(redact({ ...body, mobilePhone: '4155550132' }).findings)).toEqual(['mobilePhone phone']);
    expect(fieldsOf(redact({ [`${'k'.repeat(200)}Phone`]: '4155550132' }).findings)).toEqual([`${'k'.repeat(200)}Phone phone`]);
  });

  it('finds a value in a text another redactor has seen clean (remembered texts are per redactor)', () => {
    const other = createRedactor({ salt: new TextEncoder().encode('json-spec-salt-000002'), detectors: ['phone'] });
    // Seen clean more than once: remembered by the phone-only redactor.
    for (let round = 0; round < 3; round++) {
      expect(redactJson(other, JSON.stringify({ note: FAKE.email }), { mode: 'redact' }).findings).toEqual([]);
    }
    expect(fieldsOf(redact({ note: FAKE.email }).findings)).toEqual(['note email']);
  });
});

describe('redactJson: competing text members of an element', () => {
  it.each([
    [
      'text and content (text read first)',
      [
        { role: 'user', text: 'x', content: AWS_HEAD },
        { role: 'user', content: AWS_TAIL },
      ],
    ],
    [
      'duplicate text keys (the first wins)',
      `[{"type":"input_text","text":"${AWS_HEAD}","text":"ok"},{"type":"input_text","text":"${AWS_TAIL}"}]`,
    ],
    [
      'duplicate text keys (the last wins)',
      `[{"type":"input_text","text":"ok","text":"${AWS_HEAD}"},{"type":"input_text","text":"no","text":"${AWS_TAIL}"}]`,
    ],
    ['duplicate content keys', `[{"role":"user","content":"${AWS_HEAD}","content":"hi"},{"role":"user","content":"${AWS_TAIL}"}]`],
    [
      'content preferred to text',
      [
        { text: AWS_HEAD, content: 'ab' },
        { content: 'cd', text: AWS_TAIL },
      ],
    ],
    ['content read where text is missing', [{ text: 'a', content: AWS_HEAD }, { text: AWS_TAIL }]],
    ['a string element after an element object', [{ text: 'zz', content: AWS_HEAD }, AWS_TAIL]],
  ])('joins %s', (_name, input) => {
    const body = typeof input === 'string' ? `{"input":${input}}` : JSON.stringify({ input });
    const { findings, text } = redactJson(redactor, body, { mode: 'redact' });
    expect(findings.map((f) => `${f.detector} ${f.via}`)).toEqual(['secrets split']);
    expect(text).toContain(AWS);
    expect(text).not.toContain(AWS_TAIL);
    expect(text).not.toMatch(new RegExp(`"${AWS_HEAD}"`));
  });

  it('treats the start of every joined part as a token start', () => {
    const { findings, text } = redact({ input: ['prefix', ...[AWS_HEAD, AWS_TAIL]] });
    expect(fieldsOf(findings)).toEqual(['input[1] secrets']);
    expect((JSON.parse(text!) as { input: string[] }).input).toEqual(['prefix', AWS, '']);
  });

  it.each([
    ['a dashed SSN after a word', ['ticket T', '123-4', '5-6789'], 'ssn'],
    ['a phone after a word', ['ref A', '(415) 55', '5-0132'], 'phone'],
    ['an OpenAI key after a word', ['see', FAKE.openai.slice(0, 10), FAKE.openai.slice(10)], 'secrets'],
  ])('finds %s split across the parts', (_name, input, detector) => {
    expect(redact({ input }).findings.map((f) => f.detector)).toEqual([detector]);
  });

  it('keeps clean competing members clean', () => {
    const body = '{"input":[{"text":"released 1.2","content":"v1.2","text":".3"},{"content":"on 2024-01-15"}]}';
    expect(redactJson(redactor, body, { mode: 'redact' })).toEqual({ findings: [] });
  });
});

describe('redactJson: hidden characters', () => {
  it.each([
    ['NUL', '\\u0000'],
    ['BEL', '\\u0007'],
    ['ESC', '\\u001b'],
    ['DEL', '\\u007f'],
    ['NEL', '\\u0085'],
    ['a C1 control', '\\u009f'],
    ['a lone high surrogate', '\\ud800'],
    ['a lone low surrogate', '\\udc00'],
    ['a braille blank', '\\u2800'],
    ['an object replacement character', '\\ufffc'],
    ['a Hangul filler', '\\u3164'],
  ])('sees through %s escaped in a JSON string and removes it with the value', (_name, escape) => {
    const body = `{"a":"mail jane.doe${escape}@example.com key ${AWS_HEAD}${escape}${AWS_TAIL} end"}`;
    const { findings, text } = redactJson(redactor, body, { mode: 'redact' });
    expect(findings.map((f) => `${f.detector} ${f.via}`)).toEqual(['email normalized', 'secrets normalized']);
    expect(JSON.parse(text!)).toEqual({ a: `mail ${EMAIL} key ${AWS} end` });
    const { a } = JSON.parse(body) as { a: string }; // the document built just above
    const plain = redactPlainText(redactor, a, { mode: 'redact' });
    expect(plain.text).toBe(`mail ${EMAIL} key ${AWS} end`);
  });
});

describe('redactPlainText', () => {
  it('reports field $ and rewrites in redact mode only', () => {
    const text = `hello ${FAKE.email}`;
    expect(redactPlainText(redactor, text, { mode: 'redact' })).toEqual({
      text: `hello ${EMAIL}`,
      findings: [{ detector: 'email', kind: 'email', hash: EMAIL.slice(7, 15), via: 'plain', field: '$' }],
    });
    expect(redactPlainText(redactor, text, { mode: 'scan' }).text).toBeUndefined();
    expect(redactPlainText(redactor, 'nothing', { mode: 'redact' })).toEqual({ findings: [] });
  });

  it('throws timeout when the deadline has passed', () => {
    expect(() => redactPlainText(redactor, 'x', { mode: 'scan', deadline: performance.now() - 1 })).toThrow(
      expect.objectContaining({ reason: 'timeout' }),
    );
  });
});
