import { TEST_DIALECTS, type RecordedRequest, type ScriptedResponse } from '@navplane/testing';
import { maskedKey } from './proxy/key-mask';
import { OPENAI_PASSTHROUGH_KEY, OPENAI_TEST_KEY, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

/** An upstream that echoes the credential it got, as OpenAI's 401 does ("Incorrect API key provided: sk-…"). */
function echo(status: number, stream = false) {
  return (req: RecordedRequest): ScriptedResponse => {
    const key = String(req.headers['authorization'] ?? '').replace(/^Bearer /, '');
    if (stream) {
      return { kind: 'sse', status, headers: { 'x-echo': key }, events: [{ data: { echoed: key } }, { raw: 'data: [DONE]\n\n' }] };
    }
    const message = `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`;
    return status >= 400
      ? {
          kind: 'error',
          status,
          headers: { 'x-echo': `key=${key}` },
          body: { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } },
        }
      : { kind: 'json', status, headers: { 'x-echo': key }, body: { echoed: key } };
  };
}

describe.each(TEST_DIALECTS)('the injected provider key never comes back, on %s', (dialect) => {
  let h: GatewayHarness;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect);
    const orgId = await h.createOrg();
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    key = (await h.issueKey(orgId)).key;
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => h.upstream.reset());

  const embeddings = (headers: Record<string, string>) =>
    fetch(`${h.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }),
    });

  it.each([401, 403, 500])(
    'vault mode: an upstream %i that echoes the key gets it masked, in headers and body, same length',
    async (status) => {
      h.upstream.enqueue(echo(status));
      const res = await embeddings({ authorization: `Bearer ${key}` });
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(h.upstream.lastRequest()?.headers['authorization']).toBe(`Bearer ${OPENAI_TEST_KEY}`);
      expect(text).not.toContain(OPENAI_TEST_KEY);
      expect(text).toContain(maskedKey(OPENAI_TEST_KEY));
      expect(res.headers.get('x-echo')).toBe(`key=${maskedKey(OPENAI_TEST_KEY)}`);
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
      // The provider's error is otherwise untouched.
      expect(JSON.parse(text)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    },
  );

  it('does not rewrite 2xx bodies or streams', async () => {
    h.upstream.enqueue(echo(200));
    const res = await embeddings({ authorization: `Bearer ${key}` });
    expect(await res.json()).toEqual({ echoed: OPENAI_TEST_KEY });

    h.upstream.enqueue(echo(200, true));
    const streamed = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(await streamed.text()).toContain(OPENAI_TEST_KEY);
  });

  it('passthrough mode: the client’s own key is the client’s, and comes back as the provider sent it', async () => {
    h.upstream.enqueue(echo(401));
    const res = await embeddings({ authorization: `Bearer ${OPENAI_PASSTHROUGH_KEY}`, 'x-navplane-key': key });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain(OPENAI_PASSTHROUGH_KEY);
  });
});
