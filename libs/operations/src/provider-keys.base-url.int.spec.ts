import { expect } from '@jest/globals';
import { createEgressGuard, parseEgressAllowlist, type ResolveAll } from '@navplane/egress';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

const AZURE_KEY = '0123456789abcdef0123456789abcdef';

/** A resolver the test controls: names map to addresses; anything else does not resolve. */
const DNS: Record<string, string[]> = {
  'mine.openai.azure.com': ['20.50.1.2'],
  'sneaky.example.com': ['10.1.2.3'],
  'mixed.example.com': ['20.50.1.3', '127.0.0.1'],
  'models.internal': ['10.0.0.9'],
};
const resolveAll: ResolveAll = (hostname) => {
  const addresses = DNS[hostname];
  if (addresses === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  return Promise.resolve(addresses.map((address) => ({ address, family: 4 })));
};

function egress(allowlist: string) {
  const parsed = parseEgressAllowlist(allowlist);
  if (!parsed.ok) throw new Error(parsed.error);
  return createEgressGuard({ allowlist: parsed.value, resolveAll });
}

describe.each(TEST_DIALECTS)('provider-key base URLs (%s)', (dialect) => {
  let h: OperationsHarness;
  let org: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect, { egress: egress('models.internal') });
    org = await h.org('azure');
  });
  afterAll(() => h.close());

  it('stores an Azure key with its endpoint (normalised), lists it, audits it, and serves it with the key', async () => {
    const stored = unwrap(
      await h.ops.providerKeys.set(org, 'azure-openai', AZURE_KEY, ACTOR, { baseUrl: 'https://mine.openai.azure.com/' }),
    );
    expect(stored).toEqual({
      provider: 'azure-openai',
      name: 'default',
      last4: 'cdef',
      createdAt: expect.any(String),
      rotatedAt: null,
      baseUrl: 'https://mine.openai.azure.com',
    });
    expect(unwrap(await h.ops.providerKeys.list(org))).toEqual([stored]);
    expect(await h.vault.getProviderKey(org, 'azure-openai')).toEqual({
      ok: true,
      key: AZURE_KEY,
      baseUrl: 'https://mine.openai.azure.com',
    });
    const audit = (await h.audit('provider_key.set')).find((entry) => entry.orgId === org);
    expect(audit?.details).toEqual({
      provider: 'azure-openai',
      name: 'default',
      last4: 'cdef',
      replaced: false,
      baseUrl: 'https://mine.openai.azure.com',
    });
  });

  it.each([
    ['missing', undefined, 'baseUrl is required for azure-openai'],
    ['plain http', 'http://mine.openai.azure.com', 'must use https'],
    ['a private address', 'https://10.0.0.1', 'private'],
    ['the cloud metadata address', 'https://169.254.169.254/latest', 'private'],
    ['loopback, written in hex', 'https://0x7f000001', 'private'],
    ['a name that resolves to a private address', 'https://sneaky.example.com', 'resolves to a private'],
    ['a name with one private answer among public ones', 'https://mixed.example.com', 'resolves to a private'],
    ['a name that does not resolve', 'https://nowhere.example.com', 'cannot be resolved'],
    ['credentials in the URL', 'https://user:pw@mine.openai.azure.com', 'credentials'],
    ['a fragment', 'https://mine.openai.azure.com#x', 'fragment'],
    ['a query', 'https://mine.openai.azure.com/?a=1', 'query'],
    ['the /openai path the routes add', 'https://mine.openai.azure.com/openai', 'without /openai'],
    ['not a string', 42, 'must be a URL'],
  ])('refuses %s with invalid_request on baseUrl, storing nothing', async (_what, baseUrl, message) => {
    const other = await h.org(`refused-${String(_what)}`);
    const error = failure(await h.ops.providerKeys.set(other, 'azure-openai', AZURE_KEY, ACTOR, { baseUrl }));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toEqual({ param: 'baseUrl' });
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(AZURE_KEY);
    expect(unwrap(await h.ops.providerKeys.list(other))).toEqual([]);
  });

  it('accepts an allowlisted host although it resolves privately, over http too', async () => {
    const other = await h.org('allowlisted');
    const stored = unwrap(
      await h.ops.providerKeys.set(other, 'azure-openai', AZURE_KEY, ACTOR, { baseUrl: 'http://models.internal:8443' }),
    );
    expect(stored.baseUrl).toBe('http://models.internal:8443');
  });

  it('refuses a baseUrl for a provider whose upstream is the operator’s, and stores its key without one', async () => {
    const other = await h.org('openai');
    const error = failure(
      await h.ops.providerKeys.set(other, 'openai', 'sk-test-openai-0123456789', ACTOR, { baseUrl: 'https://mine.openai.azure.com' }),
    );
    expect(error).toMatchObject({ code: 'invalid_request', details: { param: 'baseUrl' } });
    expect(error.message).toContain('openai takes no baseUrl');
    expect(unwrap(await h.ops.providerKeys.set(other, 'openai', 'sk-test-openai-0123456789', ACTOR))).not.toHaveProperty('baseUrl');
  });
});
