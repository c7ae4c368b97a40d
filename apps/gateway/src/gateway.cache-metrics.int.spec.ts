import { openaiChatCompletion, TEST_DIALECTS } from '@navplane/testing';
import { OPENAI_TEST_KEY, postChat, startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

/** The value of one series on the gateway's /metrics (0 when absent). */
async function sample(h: GatewayHarness, series: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe.each(TEST_DIALECTS)('cache metrics on %s', (dialect) => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect);
    h.upstream.setDefault(() => ({ kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini' }) }));
  });
  afterAll(() => h.close());

  const send = (key: string) => postChat(h.url, key);

  it('counts the key, org, policy and provider-key caches’ hits and misses, and a revocation’s eviction, on /metrics', async () => {
    const orgId = await h.createOrg();
    const { key, id } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    const series = {
      keyHits: 'navplane_cache_hits_total{cache="gateway_keys"}',
      keyMisses: 'navplane_cache_misses_total{cache="gateway_keys"}',
      keyInvalidations: 'navplane_cache_evictions_total{cache="gateway_keys",reason="invalidated"}',
      orgHits: 'navplane_cache_hits_total{cache="org_states"}',
      policyHits: 'navplane_cache_hits_total{cache="policies"}',
      providerKeyHits: 'navplane_cache_hits_total{cache="provider_keys"}',
    };
    const before = new Map(await Promise.all(Object.entries(series).map(async ([name, s]) => [name, await sample(h, s)] as const)));

    for (let i = 0; i < 3; i += 1) expect(await send(key)).toBe(200);
    await h.revokeKey(orgId, id);
    expect(await send(key)).toBe(401);

    const delta = async (name: keyof typeof series) => {
      const start = before.get(name);
      if (start === undefined) throw new Error(`${name} was not sampled before`);
      return (await sample(h, series[name])) - start;
    };
    expect(await delta('keyMisses')).toBeGreaterThanOrEqual(2); // the cold key, and its re-read after the revocation
    expect(await delta('keyHits')).toBeGreaterThanOrEqual(2);
    expect(await delta('keyInvalidations')).toBeGreaterThanOrEqual(1);
    expect(await delta('orgHits')).toBeGreaterThanOrEqual(3);
    expect(await delta('policyHits')).toBeGreaterThanOrEqual(3);
    expect(await delta('providerKeyHits')).toBeGreaterThanOrEqual(2);
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain('# TYPE navplane_cache_evictions_total counter');
    expect(text).not.toContain(OPENAI_TEST_KEY);
  });
});
