import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY, startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Headers no SDK sends: a client adding them must not reach the provider with them.
const UNKNOWN_OPENAI = { 'openai-base-url': 'http://evil.example', 'openai-internal-debug': '1' };
const UNKNOWN_ANTHROPIC = { 'anthropic-foo': 'bar', 'anthropic-base-url': 'http://evil.example' };

// Set by the gateway itself, whatever the client sent: framing, the credential, and uncompressed responses.
const GATEWAY_OWNED = new Set(['authorization', 'x-api-key', 'content-length', 'accept-encoding', 'connection', 'host']);

/** A fetch for an SDK client that records the headers the SDK actually sent. */
function recordingFetch(sent: Headers[]): typeof fetch {
  return (input, init) => {
    sent.push(new Headers(init?.headers));
    return fetch(input, init);
  };
}

describe('provider headers through the gateway (real SDKs)', () => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => ({ h, key } = await startKeyedGateway('sqlite')));
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  /** Every header the SDK sent that is not the gateway's to set or an unknown one arrived upstream as sent. */
  function expectSdkHeadersForwarded(sent: Headers, unknown: Record<string, string>) {
    const seen = h.upstream.lastRequest()?.headers ?? {};
    const forwarded: string[] = [];
    sent.forEach((value, name) => {
      if (GATEWAY_OWNED.has(name)) return;
      if (name in unknown) {
        expect({ name, value: seen[name] }).toEqual({ name, value: undefined });
        return;
      }
      expect({ name, value: seen[name] }).toEqual({ name, value });
      forwarded.push(name);
    });
    return forwarded;
  }

  it('OpenAI SDK: its own headers (organization, project, beta, x-stainless-*) arrive; unknown openai-* and anthropic-* do not', async () => {
    const sent: Headers[] = [];
    const client = new OpenAI({
      apiKey: key,
      baseURL: `${h.url}/v1`,
      organization: 'org-123',
      project: 'proj-9',
      maxRetries: 0,
      fetch: recordingFetch(sent),
      defaultHeaders: { ...UNKNOWN_OPENAI, 'anthropic-beta': 'not-for-openai', 'OpenAI-Beta': 'assistants=v2' },
    });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const forwarded = expectSdkHeadersForwarded(sent[0]!, { ...UNKNOWN_OPENAI, 'anthropic-beta': '' });
    expect(forwarded).toEqual(
      expect.arrayContaining([
        'openai-organization',
        'openai-project',
        'openai-beta',
        'user-agent',
        'x-stainless-lang',
        'x-stainless-package-version',
        'x-stainless-os',
        'x-stainless-arch',
        'x-stainless-runtime',
        'x-stainless-runtime-version',
        'x-stainless-retry-count',
      ]),
    );
    expect(h.upstream.lastRequest()?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
  });

  it('Anthropic SDK: anthropic-version, anthropic-beta, the browser opt-in and x-stainless-* arrive; unknown anthropic-* and openai-* do not', async () => {
    const sent: Headers[] = [];
    const client = new Anthropic({
      apiKey: key,
      baseURL: h.url,
      maxRetries: 0,
      dangerouslyAllowBrowser: true,
      fetch: recordingFetch(sent),
      defaultHeaders: { ...UNKNOWN_ANTHROPIC, 'openai-organization': 'not-for-anthropic' },
    });
    await client.beta.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 16,
      betas: ['token-efficient-tools-2025-02-19'],
      messages: [{ role: 'user', content: 'hi' }],
    });
    const forwarded = expectSdkHeadersForwarded(sent[0]!, { ...UNKNOWN_ANTHROPIC, 'openai-organization': '' });
    expect(forwarded).toEqual(
      expect.arrayContaining([
        'anthropic-version',
        'anthropic-beta',
        'anthropic-dangerous-direct-browser-access',
        'user-agent',
        'x-stainless-lang',
        'x-stainless-package-version',
        'x-stainless-retry-count',
        'x-stainless-timeout',
      ]),
    );
    expect(h.upstream.lastRequest()?.headers['x-api-key']).toBe(ANTHROPIC_TEST_KEY);
  });
});
