import type { DetectorId } from '../detector-ids';
import {
  base64,
  base64url,
  controlChars,
  foreignDigits,
  fullwidth,
  homoglyphs,
  lookalikeSeparators,
  percentAll,
  splitInto,
  unicodeEscapes,
  zeroWidth,
} from './evasions';
import { FAKE, PRIVATE_KEY_BODY_LINE } from './fake-values';

/** The evasion forms the corpus covers. */
export const CORPUS_FORMS = [
  'plain',
  'zero_width',
  'homoglyph',
  'fullwidth',
  'percent_encoding',
  'base64',
  'split_json_fields',
  'duplicate_json_keys',
  'tool_arguments',
  'mixed',
  'control_chars',
  'json_numbers',
] as const;

/** One of the corpus's evasion forms. */
export type CorpusForm = (typeof CORPUS_FORMS)[number];

/** One corpus case: a plain-text or JSON body that must be detected, or must stay clean. */
export interface CorpusCase {
  readonly id: string;
  readonly form: CorpusForm;
  /** The detector that must fire ('detect'), or whose false positives the case controls ('clean'). */
  readonly detector: DetectorId;
  /** A plain-text body (run through redactText / scanText). */
  readonly text?: string;
  /** A JSON request body (run through redactJson). */
  readonly json?: string;
  readonly expect: 'detect' | 'clean';
  /** For 'detect': the value in plain form; the redacted output must not contain it in any form. */
  readonly value?: string;
}

const detect = (
  id: string,
  form: CorpusForm,
  detector: DetectorId,
  body: { text: string } | { json: string },
  value: string,
): CorpusCase => ({
  id,
  form,
  detector,
  ...body,
  expect: 'detect',
  value,
});

const clean = (id: string, form: CorpusForm, detector: DetectorId, body: { text: string } | { json: string }): CorpusCase => ({
  id,
  form,
  detector,
  ...body,
  expect: 'clean',
});

const json = (value: unknown): { json: string } => ({ json: JSON.stringify(value) });
/** An OpenAI chat completion body with one user message. */
const chat = (content: unknown): { json: string } => json({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
/** OpenAI content parts, one text part per piece. */
const textParts = (pieces: readonly string[]): unknown[] => pieces.map((text) => ({ type: 'text', text }));
/** An Anthropic messages body with one user message made of text blocks. */
const anthropic = (blocks: unknown[], system?: unknown): { json: string } =>
  json({
    model: 'claude-sonnet-4-5',
    max_tokens: 256,
    ...(system === undefined ? {} : { system }),
    messages: [{ role: 'user', content: blocks }],
  });

const bearer = 'Authorization: Bearer ' + FAKE.bearerToken;

const PLAIN: readonly CorpusCase[] = [
  detect('plain-email', 'plain', 'email', { text: `Contact ${FAKE.email} for access.` }, FAKE.email),
  detect('plain-email-plus', 'plain', 'email', { text: `cc: ${FAKE.email2}` }, FAKE.email2),
  detect('plain-phone-nanp', 'plain', 'phone', { text: `Call me at ${FAKE.phoneUs} tomorrow.` }, FAKE.phoneUs),
  detect('plain-phone-dashed', 'plain', 'phone', { text: `cell ${FAKE.phoneUsDashed}` }, FAKE.phoneUsDashed),
  detect('plain-phone-intl', 'plain', 'phone', { text: `London office: ${FAKE.phoneIntl}.` }, FAKE.phoneIntl),
  detect('plain-phone-e164', 'plain', 'phone', { text: `SMS ${FAKE.phoneE164}` }, FAKE.phoneE164),
  detect('plain-ssn', 'plain', 'ssn', { text: `SSN on file: ${FAKE.ssn}` }, FAKE.ssn),
  detect('plain-ssn-context', 'plain', 'ssn', { text: 'my social security number is 123 45 6789' }, '123456789'),
  detect('plain-card-visa', 'plain', 'credit_card', { text: `Card ${FAKE.visa}, exp 12/29` }, FAKE.visa),
  detect('plain-card-mc', 'plain', 'credit_card', { text: `pay with ${FAKE.mastercard}` }, FAKE.mastercard),
  detect('plain-card-amex', 'plain', 'credit_card', { text: `amex ${FAKE.amex}` }, FAKE.amex),
  detect('plain-openai', 'plain', 'secrets', { text: `OPENAI_API_KEY=${FAKE.openai}` }, FAKE.openai),
  detect('plain-anthropic', 'plain', 'secrets', { text: `key: ${FAKE.anthropic}` }, FAKE.anthropic),
  detect('plain-navplane', 'plain', 'secrets', { text: `use ${FAKE.navplane} as the gateway key` }, FAKE.navplane),
  detect('plain-aws', 'plain', 'secrets', { text: `aws_access_key_id = ${FAKE.aws}` }, FAKE.aws),
  detect('plain-github', 'plain', 'secrets', { text: `token ${FAKE.github}` }, FAKE.github),
  detect('plain-github-pat', 'plain', 'secrets', { text: `GH_TOKEN=${FAKE.githubPat}` }, FAKE.githubPat),
  detect('plain-bearer', 'plain', 'secrets', { text: `curl -H "${bearer}" https://api.example.com` }, FAKE.bearerToken),
  detect('plain-private-key', 'plain', 'secrets', { text: `here is my key:\n${FAKE.privateKey}\nthanks` }, PRIVATE_KEY_BODY_LINE),
];

const ZERO_WIDTH: readonly CorpusCase[] = [
  detect('zw-email', 'zero_width', 'email', { text: `mail ${zeroWidth(FAKE.email)} now` }, FAKE.email),
  detect('zw-email-every-char', 'zero_width', 'email', { text: zeroWidth(FAKE.email2, 1) }, FAKE.email2),
  detect('zw-phone', 'zero_width', 'phone', { text: `call ${zeroWidth(FAKE.phoneUs)}` }, FAKE.phoneUs),
  detect('zw-phone-intl', 'zero_width', 'phone', { text: `tel ${zeroWidth(FAKE.phoneIntl, 3)}` }, FAKE.phoneIntl),
  detect('zw-ssn', 'zero_width', 'ssn', { text: `ssn ${zeroWidth(FAKE.ssn)}` }, FAKE.ssn),
  detect('zw-card', 'zero_width', 'credit_card', { text: `card ${zeroWidth(FAKE.visaCompact)}` }, FAKE.visaCompact),
  detect('zw-openai', 'zero_width', 'secrets', { text: zeroWidth(FAKE.openai, 5) }, FAKE.openai),
  detect('zw-anthropic', 'zero_width', 'secrets', { text: `k=${zeroWidth(FAKE.anthropic, 4)}` }, FAKE.anthropic),
  detect('zw-aws', 'zero_width', 'secrets', { text: zeroWidth(FAKE.aws, 1) }, FAKE.aws),
  detect('zw-github', 'zero_width', 'secrets', { text: `gh ${zeroWidth(FAKE.github, 3)}` }, FAKE.github),
  detect('zw-bearer', 'zero_width', 'secrets', { text: `Authorization: Bearer ${zeroWidth(FAKE.bearerToken)}` }, FAKE.bearerToken),
];

const HOMOGLYPH: readonly CorpusCase[] = [
  detect('homoglyph-email', 'homoglyph', 'email', { text: `write to ${homoglyphs(FAKE.email)}` }, FAKE.email),
  detect('homoglyph-email-plus', 'homoglyph', 'email', { text: homoglyphs(FAKE.email2) }, FAKE.email2),
  detect(
    'homoglyph-phone-digits',
    'homoglyph',
    'phone',
    { text: `call ${lookalikeSeparators(foreignDigits(FAKE.phoneUs))}` },
    FAKE.phoneUs,
  ),
  detect('homoglyph-phone-devanagari', 'homoglyph', 'phone', { text: `tel ${foreignDigits(FAKE.phoneIntl, 0x0966)}` }, FAKE.phoneIntl),
  detect('homoglyph-ssn', 'homoglyph', 'ssn', { text: `ssn ${lookalikeSeparators(foreignDigits(FAKE.ssn, 0x06f0))}` }, FAKE.ssn),
  detect('homoglyph-card', 'homoglyph', 'credit_card', { text: `card ${lookalikeSeparators(foreignDigits(FAKE.visa))}` }, FAKE.visa),
  detect('homoglyph-openai', 'homoglyph', 'secrets', { text: homoglyphs(FAKE.openai) }, FAKE.openai),
  detect('homoglyph-anthropic', 'homoglyph', 'secrets', { text: `x ${homoglyphs(FAKE.anthropic)}` }, FAKE.anthropic),
  detect('homoglyph-aws', 'homoglyph', 'secrets', { text: `id ${homoglyphs(FAKE.aws)}` }, FAKE.aws),
  detect('homoglyph-navplane', 'homoglyph', 'secrets', { text: homoglyphs(FAKE.navplane) }, FAKE.navplane),
  detect('homoglyph-bearer', 'homoglyph', 'secrets', { text: `${homoglyphs('Bearer')} ${FAKE.bearerToken}` }, FAKE.bearerToken),
];

const FULLWIDTH: readonly CorpusCase[] = [
  detect('fullwidth-email', 'fullwidth', 'email', { text: `mail ${fullwidth(FAKE.email)}` }, FAKE.email),
  detect('fullwidth-at-only', 'fullwidth', 'email', { text: FAKE.email.replace('@', '\uff20').replace(/\./g, '\uff0e') }, FAKE.email),
  detect('fullwidth-phone', 'fullwidth', 'phone', { text: `call ${fullwidth(FAKE.phoneUs)}` }, FAKE.phoneUs),
  detect('fullwidth-phone-intl', 'fullwidth', 'phone', { text: fullwidth(FAKE.phoneIntl) }, FAKE.phoneIntl),
  detect('fullwidth-ssn', 'fullwidth', 'ssn', { text: `SSN ${fullwidth(FAKE.ssn)}` }, FAKE.ssn),
  detect('fullwidth-card', 'fullwidth', 'credit_card', { text: fullwidth(FAKE.visa) }, FAKE.visa),
  detect('fullwidth-amex', 'fullwidth', 'credit_card', { text: `amex ${fullwidth(FAKE.amex)}` }, FAKE.amex),
  detect('fullwidth-openai', 'fullwidth', 'secrets', { text: fullwidth(FAKE.openai) }, FAKE.openai),
  detect('fullwidth-aws', 'fullwidth', 'secrets', { text: `key ${fullwidth(FAKE.aws)}` }, FAKE.aws),
  detect('fullwidth-github', 'fullwidth', 'secrets', { text: fullwidth(FAKE.github) }, FAKE.github),
  detect('fullwidth-bearer', 'fullwidth', 'secrets', { text: fullwidth(bearer) }, FAKE.bearerToken),
];

const PERCENT: readonly CorpusCase[] = [
  detect(
    'pct-email-url',
    'percent_encoding',
    'email',
    { text: `https://app.example/invite?u=${encodeURIComponent(FAKE.email)}&x=1` },
    FAKE.email,
  ),
  detect('pct-email-all', 'percent_encoding', 'email', { text: percentAll(FAKE.email) }, FAKE.email),
  detect('pct-email-double', 'percent_encoding', 'email', { text: `u=${encodeURIComponent(encodeURIComponent(FAKE.email))}` }, FAKE.email),
  detect('pct-phone', 'percent_encoding', 'phone', { text: `tel=${encodeURIComponent(FAKE.phoneIntl)}` }, FAKE.phoneIntl),
  detect('pct-ssn', 'percent_encoding', 'ssn', { text: `ssn=${percentAll(FAKE.ssn)}` }, FAKE.ssn),
  detect('pct-card', 'percent_encoding', 'credit_card', { text: `cc=${encodeURIComponent(FAKE.visa)}` }, FAKE.visa),
  detect('pct-openai', 'percent_encoding', 'secrets', { text: `key=${percentAll(FAKE.openai)}` }, FAKE.openai),
  detect('pct-aws', 'percent_encoding', 'secrets', { text: percentAll(FAKE.aws) }, FAKE.aws),
  detect('pct-bearer', 'percent_encoding', 'secrets', { text: `h=${encodeURIComponent(bearer)}` }, FAKE.bearerToken),
  detect('pct-github', 'percent_encoding', 'secrets', { text: `t=${percentAll(FAKE.github)}` }, FAKE.github),
];

const BASE64: readonly CorpusCase[] = [
  detect('b64-email', 'base64', 'email', { text: `payload: ${base64(`contact ${FAKE.email} please`)}` }, FAKE.email),
  detect('b64-email-bare', 'base64', 'email', { text: base64(FAKE.email) }, FAKE.email),
  detect('b64-email-nested', 'base64', 'email', { text: `x ${base64(base64(FAKE.email))}` }, FAKE.email),
  detect('b64-phone', 'base64', 'phone', { text: `data:text/plain;base64,${base64(`call ${FAKE.phoneUs}`)}` }, FAKE.phoneUs),
  detect('b64-ssn', 'base64', 'ssn', { text: base64(`ssn: ${FAKE.ssn}`) }, FAKE.ssn),
  detect('b64-card', 'base64', 'credit_card', { text: `blob ${base64(FAKE.visa)}` }, FAKE.visa),
  detect('b64-openai', 'base64', 'secrets', { text: base64url(`OPENAI_API_KEY=${FAKE.openai}`) }, FAKE.openai),
  detect('b64-anthropic', 'base64', 'secrets', { text: `cfg=${base64(FAKE.anthropic)}` }, FAKE.anthropic),
  detect('b64-aws', 'base64', 'secrets', { text: base64(`aws ${FAKE.aws}`) }, FAKE.aws),
  detect('b64-private-key', 'base64', 'secrets', { text: `pem: ${base64(FAKE.privateKey)}` }, PRIVATE_KEY_BODY_LINE),
];

const SPLIT: readonly CorpusCase[] = [
  detect('split-email-parts', 'split_json_fields', 'email', chat(textParts(['my email is jane.doe@exa', 'mple.com, thanks'])), FAKE.email),
  detect(
    'split-card-around-image',
    'split_json_fields',
    'credit_card',
    chat([
      { type: 'text', text: 'card 4111 1111 ' },
      { type: 'image_url', image_url: { url: 'https://img.example/cat.png' } },
      { type: 'text', text: '1111 1111 exp 12/29' },
    ]),
    FAKE.visa,
  ),
  detect('split-phone-anthropic', 'split_json_fields', 'phone', anthropic(textParts(['call (415) 55', '5-0132 today'])), FAKE.phoneUs),
  detect('split-ssn-system-blocks', 'split_json_fields', 'ssn', anthropic(textParts(['hi']), textParts(['SSN 123-4', '5-6789'])), FAKE.ssn),
  detect(
    'split-openai-responses',
    'split_json_fields',
    'secrets',
    json({
      model: 'gpt-4.1',
      input: [{ type: 'message', role: 'user', content: splitInto(FAKE.openai, 3).map((text) => ({ type: 'input_text', text })) }],
    }),
    FAKE.openai,
  ),
  detect(
    'split-email-messages',
    'split_json_fields',
    'email',
    json({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'write to jane.doe@ex' },
        { role: 'user', content: 'ample.com' },
      ],
    }),
    FAKE.email,
  ),
  detect(
    'split-aws-embeddings',
    'split_json_fields',
    'secrets',
    json({ model: 'text-embedding-3-small', input: splitInto(FAKE.aws, 2) }),
    FAKE.aws,
  ),
  detect('split-github-four', 'split_json_fields', 'secrets', chat(textParts(splitInto(FAKE.github, 4))), FAKE.github),
  detect('split-bearer', 'split_json_fields', 'secrets', chat(textParts(['Authorization: Bearer ', FAKE.bearerToken])), FAKE.bearerToken),
  detect('split-ssn-context', 'split_json_fields', 'ssn', chat(textParts(['my ssn is ', '123 45 6789'])), '123456789'),
  // An element with competing members: a provider reads one of them, so every reading is joined.
  detect(
    'split-text-and-content',
    'split_json_fields',
    'secrets',
    json({
      messages: [
        { role: 'user', text: 'x', content: FAKE.aws.slice(0, 8) },
        { role: 'user', content: FAKE.aws.slice(8) },
      ],
    }),
    FAKE.aws,
  ),
  detect(
    'split-dup-text-first-wins',
    'split_json_fields',
    'secrets',
    {
      json: `{"input":[{"type":"input_text","text":"${FAKE.aws.slice(0, 8)}","text":"ok"},{"type":"input_text","text":"${FAKE.aws.slice(8)}"}]}`,
    },
    FAKE.aws,
  ),
  detect(
    'split-dup-text-last-wins',
    'split_json_fields',
    'email',
    {
      json: `{"messages":[{"role":"user","content":[{"type":"text","text":"hi","text":"mail jane.doe@exa"},{"type":"text","text":"x","text":"mple.com"}]}]}`,
    },
    FAKE.email,
  ),
  detect(
    'split-dup-content',
    'split_json_fields',
    'credit_card',
    {
      json: `{"messages":[{"role":"user","content":"card 4111 1111","content":"ok"},{"role":"user","content":" 1111 1111"}]}`,
    },
    FAKE.visa,
  ),
  detect(
    'split-glued-to-neighbour',
    'split_json_fields',
    'secrets',
    json({ input: ['see note:x', FAKE.github.slice(0, 10), FAKE.github.slice(10)] }),
    FAKE.github,
  ),
];

const dup = (template: string, value: string): { json: string } => ({
  json: template.replace('VALUE', JSON.stringify(value).slice(1, -1)),
});

const DUPLICATE: readonly CorpusCase[] = [
  detect(
    'dup-content-last',
    'duplicate_json_keys',
    'email',
    dup('{"model":"m","messages":[{"role":"user","content":"hello","content":"VALUE"}]}', FAKE.email),
    FAKE.email,
  ),
  detect(
    'dup-content-first',
    'duplicate_json_keys',
    'email',
    dup('{"model":"m","messages":[{"role":"user","content":"VALUE","content":"hello"}]}', FAKE.email),
    FAKE.email,
  ),
  detect('dup-metadata', 'duplicate_json_keys', 'phone', dup('{"metadata":{"note":"x","note":"VALUE"}}', FAKE.phoneUs), FAKE.phoneUs),
  detect('dup-prompt', 'duplicate_json_keys', 'ssn', dup('{"model":"m","prompt":"hi","prompt":"ssn VALUE"}', FAKE.ssn), FAKE.ssn),
  detect(
    'dup-system',
    'duplicate_json_keys',
    'credit_card',
    dup('{"model":"m","system":"be nice","system":"VALUE","messages":[]}', FAKE.visa),
    FAKE.visa,
  ),
  detect(
    'dup-tool-description',
    'duplicate_json_keys',
    'secrets',
    dup('{"tools":[{"type":"function","function":{"name":"f","description":"x","description":"VALUE"}}]}', FAKE.openai),
    FAKE.openai,
  ),
  detect('dup-key-holds-value', 'duplicate_json_keys', 'email', dup('{"metadata":{"VALUE":"1","VALUE":"2"}}', FAKE.email), FAKE.email),
  detect('dup-input', 'duplicate_json_keys', 'secrets', dup('{"model":"m","input":"VALUE","input":"hi"}', FAKE.aws), FAKE.aws),
  detect(
    'dup-nested-role',
    'duplicate_json_keys',
    'secrets',
    dup('{"messages":[{"role":"user","content":[{"type":"text","text":"ok","text":"VALUE"}]}]}', FAKE.github),
    FAKE.github,
  ),
];

const TOOLS: readonly CorpusCase[] = [
  detect(
    'tool-openai-arguments',
    'tool_arguments',
    'email',
    json({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'send it' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: JSON.stringify({ to: FAKE.email, body: 'hi' }) } },
          ],
        },
      ],
    }),
    FAKE.email,
  ),
  detect(
    'tool-arguments-unicode-escape',
    'tool_arguments',
    'email',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ type: 'function', function: { name: 'f', arguments: `{"to":"${FAKE.email.replace('@', '\\u0040')}"}` } }],
        },
      ],
    }),
    FAKE.email,
  ),
  detect(
    'tool-arguments-double-encoded',
    'tool_arguments',
    'phone',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [
            {
              type: 'function',
              function: { name: 'f', arguments: JSON.stringify({ payload: JSON.stringify({ phone: FAKE.phoneIntl }) }) },
            },
          ],
        },
      ],
    }),
    FAKE.phoneIntl,
  ),
  detect(
    'tool-result-message',
    'tool_arguments',
    'credit_card',
    json({
      messages: [{ role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ card: FAKE.visa }) }],
    }),
    FAKE.visa,
  ),
  detect(
    'tool-anthropic-tool-use',
    'tool_arguments',
    'phone',
    json({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'call', input: { number: FAKE.phoneUs } }] }],
    }),
    FAKE.phoneUs,
  ),
  detect(
    'tool-anthropic-result-string',
    'tool_arguments',
    'ssn',
    json({
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: `{"ssn":"${FAKE.ssn}"}` }] }],
    }),
    FAKE.ssn,
  ),
  detect(
    'tool-anthropic-result-blocks',
    'tool_arguments',
    'secrets',
    json({
      messages: [
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: `env: ${FAKE.anthropic}` }] }],
        },
      ],
    }),
    FAKE.anthropic,
  ),
  detect(
    'tool-responses-function-call',
    'tool_arguments',
    'secrets',
    json({
      model: 'gpt-4.1',
      input: [{ type: 'function_call', call_id: 'c1', name: 'deploy', arguments: JSON.stringify({ key_id: FAKE.aws }) }],
    }),
    FAKE.aws,
  ),
  detect(
    'tool-responses-output',
    'tool_arguments',
    'secrets',
    json({
      input: [{ type: 'function_call_output', call_id: 'c1', output: JSON.stringify({ token: FAKE.github }) }],
    }),
    FAKE.github,
  ),
];

const MIXED: readonly CorpusCase[] = [
  detect('mixed-fullwidth-zw-email', 'mixed', 'email', { text: zeroWidth(fullwidth(FAKE.email), 3) }, FAKE.email),
  detect('mixed-homoglyph-percent-email', 'mixed', 'email', { text: `u=${percentAll(homoglyphs(FAKE.email))}` }, FAKE.email),
  detect('mixed-base64-fullwidth-email', 'mixed', 'email', { text: base64(fullwidth(FAKE.email)) }, FAKE.email),
  detect(
    'mixed-split-zw-card',
    'mixed',
    'credit_card',
    chat(textParts([zeroWidth('card 4111 1111'), zeroWidth(' 1111 1111 ok')])),
    FAKE.visa,
  ),
  detect(
    'mixed-percent-in-arguments',
    'mixed',
    'email',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [
            {
              type: 'function',
              function: { name: 'open', arguments: JSON.stringify({ url: `https://x.example/?to=${encodeURIComponent(FAKE.email)}` }) },
            },
          ],
        },
      ],
    }),
    FAKE.email,
  ),
  detect(
    'mixed-base64-in-arguments',
    'mixed',
    'secrets',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ type: 'function', function: { name: 'save', arguments: JSON.stringify({ blob: base64(FAKE.openai) }) } }],
        },
      ],
    }),
    FAKE.openai,
  ),
  detect(
    'mixed-dup-homoglyph',
    'mixed',
    'secrets',
    dup('{"messages":[{"role":"user","content":"hi","content":"VALUE"}]}', homoglyphs(FAKE.openai)),
    FAKE.openai,
  ),
  detect('mixed-html-entities-email', 'mixed', 'email', { text: FAKE.email.replace('@', '&#64;').replace(/\./g, '&#x2e;') }, FAKE.email),
  detect('mixed-unicode-escapes-email', 'mixed', 'email', { text: `"${unicodeEscapes(FAKE.email)}"` }, FAKE.email),
  detect(
    'mixed-arabic-nbsp-zw-card',
    'mixed',
    'credit_card',
    { text: zeroWidth(lookalikeSeparators(foreignDigits(FAKE.visa)), 3) },
    FAKE.visa,
  ),
  detect('mixed-base64-of-percent', 'mixed', 'email', { text: base64(`u=${encodeURIComponent(FAKE.email)}`) }, FAKE.email),
  detect('mixed-fullwidth-split-ssn', 'mixed', 'ssn', chat(textParts([fullwidth('SSN 123-45'), fullwidth('-6789')])), FAKE.ssn),
];

const CONTROL_CHARS: readonly CorpusCase[] = [
  detect('ctl-email-nul', 'control_chars', 'email', { text: `mail ${FAKE.email.replace('@', '\u0000@')} now` }, FAKE.email),
  detect('ctl-email-every-third', 'control_chars', 'email', { text: controlChars(FAKE.email2) }, FAKE.email2),
  detect('ctl-aws-bel', 'control_chars', 'secrets', { text: `key ${FAKE.aws.slice(0, 8)}\u0007${FAKE.aws.slice(8)}` }, FAKE.aws),
  detect('ctl-openai-json', 'control_chars', 'secrets', chat(`use ${controlChars(FAKE.openai, 7, 3)}`), FAKE.openai),
  detect(
    'ctl-anthropic-lone-surrogate',
    'control_chars',
    'secrets',
    chat(`${FAKE.anthropic.slice(0, 20)}\ud800${FAKE.anthropic.slice(20)}`),
    FAKE.anthropic,
  ),
  detect(
    'ctl-github-object-replacement',
    'control_chars',
    'secrets',
    { text: `gh ${FAKE.github.slice(0, 6)}\ufffc${FAKE.github.slice(6)}` },
    FAKE.github,
  ),
  detect(
    'ctl-bearer-vt-ff',
    'control_chars',
    'secrets',
    { text: `Authorization: Bearer ${FAKE.bearerToken.slice(0, 9)}\u000b\u000c${FAKE.bearerToken.slice(9)}` },
    FAKE.bearerToken,
  ),
  detect('ctl-phone-del', 'control_chars', 'phone', { text: `call (415) 555\u007f-0132` }, FAKE.phoneUs),
  detect('ctl-phone-braille', 'control_chars', 'phone', { text: `tel ${FAKE.phoneIntl.replace(/ /g, '\u2800 ')}` }, FAKE.phoneIntl),
  detect('ctl-ssn-c1', 'control_chars', 'ssn', { text: `SSN ${controlChars(FAKE.ssn, 2, 5)}` }, FAKE.ssn),
  detect(
    'ctl-card-nel',
    'control_chars',
    'credit_card',
    { text: `card ${FAKE.visaCompact.replace(/(\d{4})(?=\d)/g, '$1\u0085')}` },
    FAKE.visaCompact,
  ),
  detect('ctl-card-hangul-fillers', 'control_chars', 'credit_card', { text: `amex ${controlChars(FAKE.amex, 4, 10)}` }, FAKE.amex),
  detect(
    'ctl-tool-arguments-escaped',
    'control_chars',
    'email',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ type: 'function', function: { name: 'f', arguments: `{"to":"${FAKE.email.replace('@', '\\u0000@')}"}` } }],
        },
      ],
    }),
    FAKE.email,
  ),
];

const JSON_NUMBERS: readonly CorpusCase[] = [
  detect(
    'num-card-tool-use',
    'json_numbers',
    'credit_card',
    {
      json: `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"tu_1","name":"charge","input":{"card":${FAKE.visaCompact},"amount":12.5}}]}]}`,
    },
    FAKE.visaCompact,
  ),
  detect(
    'num-card-metadata',
    'json_numbers',
    'credit_card',
    { json: `{"metadata":{"cc":${FAKE.mastercard.replace(/-/g, '')}}}` },
    FAKE.mastercard,
  ),
  detect(
    'num-card-in-array',
    'json_numbers',
    'credit_card',
    { json: `{"result":{"values":[1,2,${FAKE.amex.replace(/ /g, '')}]}}` },
    FAKE.amex,
  ),
  detect('num-card-negative', 'json_numbers', 'credit_card', { json: `{"n":-${FAKE.visaCompact}}` }, FAKE.visaCompact),
  detect(
    'num-ssn-key',
    'json_numbers',
    'ssn',
    {
      json: `{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"tu_2","name":"lookup","input":{"ssn":123456789}}]}]}`,
    },
    '123456789',
  ),
  detect('num-ssn-camel-key', 'json_numbers', 'ssn', { json: '{"patient":{"socialSecurityNumber":123456789}}' }, '123456789'),
  detect('num-ssn-array', 'json_numbers', 'ssn', { json: '{"customer_ssns":[123456789]}' }, '123456789'),
  detect(
    'num-phone-key',
    'json_numbers',
    'phone',
    {
      json: `{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"tu_3","name":"call","input":{"phone":4155550132}}]}]}`,
    },
    '4155550132',
  ),
  detect('num-phone-mobile-country-code', 'json_numbers', 'phone', { json: '{"contact":{"mobileNumber":14155550132}}' }, '14155550132'),
  detect('num-phone-tel', 'json_numbers', 'phone', { json: '{"tel":4155550132}' }, '4155550132'),
];

const PNG_PREFIX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const CLEAN: readonly CorpusCase[] = [
  clean('clean-uuid', 'plain', 'credit_card', { text: 'request 123e4567-e89b-12d3-a456-426614174000 completed' }),
  clean('clean-timestamps', 'plain', 'phone', { text: 'at 2024-01-15T10:20:30.123Z, then 2024-01-15 10:20:30+01:00 and 10:30:45' }),
  clean('clean-epoch-millis', 'plain', 'credit_card', { text: 'ts=1705314030123 and 1705314030' }),
  clean('clean-git-sha', 'plain', 'secrets', { text: 'commit 3f786850e387550fdab836ed7e6dc881de23001b (HEAD)' }),
  clean('clean-sha256', 'plain', 'secrets', { text: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }),
  clean('clean-png-data-url', 'base64', 'secrets', { text: `<img src="data:image/png;base64,${PNG_PREFIX}">` }),
  clean('clean-jwt-header', 'base64', 'secrets', { text: 'header eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' }),
  clean('clean-base64-prose', 'base64', 'email', { text: base64('nothing sensitive in this sentence at all') }),
  clean('clean-versions', 'plain', 'phone', { text: 'upgrade from v1.2.3 to 2.10.4-beta.1 on node 20.19.0 (build 1.2.3.4567)' }),
  clean('clean-order-numbers', 'plain', 'credit_card', {
    text: 'Order #4111111111111112 and ORD-2024-000123 shipped; invoice 2024-0001-0042',
  }),
  clean('clean-ip-addresses', 'plain', 'phone', { text: 'hosts 192.168.100.200 and 10.0.0.1:8080, 2001:db8::1' }),
  clean('clean-decimals', 'plain', 'phone', { text: 'pi is 3.14159265358979 and e=2.718281828459045; total 1,234,567.89' }),
  clean('clean-bare-digits', 'plain', 'phone', { text: 'tracking 1234567890 and 98765432109876543210' }),
  clean('clean-ssn-invalid-ranges', 'plain', 'ssn', { text: 'ids 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000' }),
  clean('clean-ssn-shape-no-context', 'plain', 'ssn', { text: 'part 123 45 6789 in stock, batch 123456789' }),
  clean('clean-sk-words', 'plain', 'secrets', { text: 'see sk-learn-model-selection-guide and the task-runner docs' }),
  clean('clean-numpy', 'plain', 'secrets', { text: 'np_array_from_buffer(x) and np_float64_convert_values()' }),
  clean('clean-bearer-prose', 'plain', 'secrets', { text: 'the bearer of this letter is trusted; Bearer tokens expire' }),
  clean('clean-retina-assets', 'plain', 'email', { text: 'icon@2x.png and logo@3x.webp' }),
  clean('clean-npm-versions', 'plain', 'email', { text: 'npm install lodash@4.17.21 @types/node@20.19.0' }),
  clean('clean-git-remote', 'plain', 'email', { text: 'git clone git@github.com:navplane/navplane.git' }),
  clean('clean-public-key', 'plain', 'secrets', {
    text: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
  }),
  clean('clean-isbn-zip', 'plain', 'phone', { text: 'ISBN 978-3-16-148410-0, ZIP 94107-1234, dates 05 12 2023' }),
  clean('clean-percent-url', 'percent_encoding', 'email', { text: 'https://example.com/search?q=hello%20world&page=2%2F3' }),
  clean('clean-chat-body', 'plain', 'phone', chat('Summarise chapter 12 (pages 100-120) of the 2nd edition, ISBN 978-0-13-110362-7')),
  clean('clean-split-version', 'split_json_fields', 'phone', chat(textParts(['released version 1.2', '.3 on 2024-01-', '15']))),
  clean(
    'clean-tool-arguments',
    'tool_arguments',
    'credit_card',
    json({
      messages: [
        {
          role: 'assistant',
          tool_calls: [
            { type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ lat: 51.5072, lon: -0.1276, days: 7 }) } },
          ],
        },
      ],
    }),
  ),
  clean('clean-zero-width-prose', 'zero_width', 'email', { text: 'hello\u200bworld, thumbs 👍🏽 and family 👨\u200d👩\u200d👧 at 10:30' }),
  clean('clean-russian-prose', 'homoglyph', 'secrets', { text: 'Привет! Встреча в 10:30, комната 204, версия 2.1. Ссылка: а@б' }),
  clean('clean-greek-prose', 'homoglyph', 'email', { text: 'Καλημέρα, ΑΒΓ-123, τηλέφωνο; όχι' }),
  clean('clean-fullwidth-prose', 'fullwidth', 'phone', { text: fullwidth('Version 1.2.3 released on 2024-01-15 at 10:30') }),
  clean('clean-mixed-prose', 'mixed', 'credit_card', { text: zeroWidth(fullwidth('order 12345 shipped in 3 boxes'), 4) }),
  clean('clean-duplicate-keys', 'duplicate_json_keys', 'email', {
    json: '{"model":"m","temperature":0.2,"temperature":0.7,"messages":[]}',
  }),
  clean('clean-split-competing-members', 'split_json_fields', 'phone', {
    json: '{"input":[{"text":"released 1.2","content":"v1.2","text":".3"},{"content":"on 2024-01-15","text":"ok"}]}',
  }),
  clean('clean-control-prose', 'control_chars', 'phone', {
    text: 'line1\r\n\tcol\u0007 bell at 10:30 \u2800 v1.2.3 \ufffc on 2024-01-15, ids 12\u000034 and 56\u0007 78',
  }),
  clean('clean-control-json', 'control_chars', 'email', {
    json: '{"a":"tab\\there\\u0000 nul \\u001b[0m reset \\ud800 half, icon@2x.png"}',
  }),
  clean('clean-number-ids', 'json_numbers', 'phone', {
    json: '{"id":4155550132,"count":123456789,"hotel_id":4155550132,"telemetry":4155550132,"ts":1705314030123,"order":4111111111111112}',
  }),
  clean('clean-number-floats', 'json_numbers', 'credit_card', {
    json: '{"embedding":[0.4111111111111111,-0.123456789,2.5e3],"phone_count":3,"ssn_checked":true}',
  }),
  clean('clean-number-ssn-key-invalid', 'json_numbers', 'ssn', { json: '{"ssn":666123456,"ssn_last4":6789,"phone":41555501}' }),
];

/** The bypass corpus: every evasion form across detectors, plus false-positive controls. */
export const BYPASS_CORPUS: readonly CorpusCase[] = [
  ...PLAIN,
  ...ZERO_WIDTH,
  ...HOMOGLYPH,
  ...FULLWIDTH,
  ...PERCENT,
  ...BASE64,
  ...SPLIT,
  ...DUPLICATE,
  ...TOOLS,
  ...MIXED,
  ...CONTROL_CHARS,
  ...JSON_NUMBERS,
  ...CLEAN,
];
