import { FAKE } from '../corpus/fake-values';
import type { FieldFinding } from '../finding';
import { placeholderFor } from '../placeholder';
import { PolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactor, type Redactor } from '../redactor';
import { redactJson } from './redact-json';
import { redactPlainText } from './redact-plain-text';

const salt = new TextEncoder().encode('json-spec-salt-000001');
const redactor = createRedactor({ salt });
const EMAIL = placeholderFor(salt, 'email', FAKE.email);
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

    it('walks deeply nested documents without recursion', () => {
      const deep = '['.repeat(100_000) + JSON.stringify(FAKE.email) + ']'.repeat(100_000);
      const { findings, text } = redactJson(redactor, deep, { mode: 'redact' });
      expect(findings).toHaveLength(1);
      expect(text).toBe('['.repeat(100_000) + `"${EMAIL}"` + ']'.repeat(100_000));
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
        { role: 'user', content: [{ type: 'text', text: `I am ${FAKE.email}` }, { type: 'image_url', image_url: { url: 'https://img.example/a.png' } }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'charge', arguments: JSON.stringify({ card: FAKE.visa, note: 'ok' }) } }],
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
      expect(fieldsOf(redact({ model: 'claude', max_tokens: 10, system: `owner ${FAKE.email}`, messages: [] }).findings)).toEqual(['system email']);
    });

    it('finds values in system blocks and every content block kind', () => {
      const body = {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: [{ type: 'text', text: `escalate to ${FAKE.phoneUs}` }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: `ssn ${FAKE.ssn}` }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'tu', name: 'lookup', input: { email: FAKE.email, nested: { card: FAKE.visa } } }] },
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
      const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'mail jane.doe@exa' }, { type: 'text', text: 'mple.com today' }] }] };
      const { findings, text } = redact(body);
      expect(findings).toEqual([{ detector: 'email', kind: 'email', hash: EMAIL.slice(7, 15), via: 'split', field: 'messages[0].content[0].text' }]);
      const parts = (JSON.parse(text!) as typeof body).messages[0]!.content;
      expect(parts.map((p) => p.text)).toEqual([`mail ${EMAIL}`, ' today']);
    });

    it.each([
      ['consecutive string elements', { input: ['key AK' + 'IA', 'QX7ZT3M4NP5RK2WA now'] }, ['input[0] secrets']],
      ['content parts around a non-text part', {
        messages: [{ role: 'user', content: [{ type: 'text', text: '4111 1111 ' }, { type: 'image_url', image_url: { url: 'u' } }, { type: 'text', text: '1111 1111' }] }],
      }, ['messages[0].content[0].text credit_card']],
      ['consecutive messages', { messages: [{ role: 'user', content: 'call (415) 555-' }, { role: 'user', content: '0132' }] }, ['messages[0].content phone']],
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
      const body = { a: ['jane.doe@exa'], b: ['mple.com'], c: [{ type: 'x', title: 'jane.doe@exa' }, { type: 'x', title: 'mple.com' }] };
      expect(redact(body).findings).toEqual([]);
    });
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
