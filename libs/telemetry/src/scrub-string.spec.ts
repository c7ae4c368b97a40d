import { maskSecretValue, scrubString } from './scrub-string';

describe('scrubString', () => {
  it.each([
    ['np_ key', 'key np_CANARY0123456789abcdefXYZ used', 'key np_*** used'],
    ['OpenAI key', 'sk-CANARY0123456789abcdef', 'sk-***'],
    ['OpenAI project key', 'x=sk-proj-CANARY_0123-456789abcdef.', 'x=sk-proj-***.'],
    ['OpenAI service-account key', 'sk-svcacct-CANARY0123456789', 'sk-***'],
    ['Anthropic key', '"sk-ant-api03-CANARY0123456789-abc_def"', '"sk-ant-***"'],
    ['Bearer token', 'Authorization: Bearer CANARY.tok-en_~+/=', 'Authorization: Bearer ***'],
    ['lower-case bearer', 'authorization: bearer CANARYtoken', 'authorization: bearer ***'],
    ['Basic credentials', 'Authorization: Basic Q0FOQVJZOnB3ZA==', 'Authorization: Basic ***'],
    ['AWS access key id', 'aws AKIACANARY0123456789 here', 'aws AKIA*** here'],
    ['AWS session key id', 'ASIACANARY0123456789', 'ASIA***'],
    ['URL password', 'postgres://navplane:CANARYpw@db:5432/x', 'postgres://navplane:***@db:5432/x'],
    ['URL password with @', 'redis://u:CANARY@pw@host/0', 'redis://u:***@host/0'],
    ['password pair', 'login password=CANARYpw! ok', 'login password=*** ok'],
    ['JSON secret pairs', '{"api_key":"CANARYkey","client_secret": "CANARYsecret"}', '{"api_key":"***","client_secret": "***"}'],
    ['query token', '/cb?access_token=CANARYtok&state=1', '/cb?access_token=***&state=1'],
    ['pair keeps the hint', 'x-api-key: sk-ant-CANARY', 'x-api-key: sk-ant-***'],
    ['token pair', 'token: Bearer CANARYtok', 'token: Bearer ***'],
    ['cookie header', 'Cookie: session=CANARY1; other=CANARY2', 'Cookie: ***'],
    ['cookie in JSON', '{"cookie":"a=CANARY; b=c","ok":1}', '{"cookie":"***","ok":1}'],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.CANARYsig', 'eyJ***'],
    ['private key', '-----BEGIN PRIVATE KEY-----\nCANARY\n-----END PRIVATE KEY-----', '[PRIVATE KEY ***]'],
  ])('masks %s', (_name, input, expected) => {
    const out = scrubString(input);
    expect(out).toBe(expected);
    expect(out).not.toContain('CANARY');
  });

  it.each([
    'risk-free task-management with sk-learn',
    'np_short and snake_np_case',
    'used 1234 input_tokens, max_tokens=100, tokens: 5',
    'https://api.openai.com/v1/chat/completions?stream=true',
    'postgres://postgres@127.0.0.1:5432/postgres',
    'user@example.com wrote to the secretary about key_01abc',
    'Bearer',
    'gateway listening on 127.0.0.1:8080 (org_01hq3 enabled=true)',
    'ÄÖÜ unicode ✓ and "quotes" {"model":"gpt-4o","stream":true}',
  ])('leaves normal text untouched: %s', (text) => {
    expect(scrubString(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = scrubString('Bearer abc sk-ant-xyz123 np_0123456789ab password=x');
    expect(scrubString(once)).toBe(once);
  });
});

describe('maskSecretValue', () => {
  it.each([
    ['Bearer abc', 'Bearer ***'],
    ['np_0123456789', 'np_***'],
    ['sk-proj-abc', 'sk-proj-***'],
    ['sk-ant-abc', 'sk-ant-***'],
    ['sk-abc', 'sk-***'],
    ['AKIA0123456789ABCDEF', 'AKIA***'],
    ['hunter2', '***'],
  ])('%s → %s', (value, masked) => {
    expect(maskSecretValue(value)).toBe(masked);
  });
});
