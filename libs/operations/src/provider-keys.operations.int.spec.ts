import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

const OPENAI_KEY = 'sk-test-openai-0123456789abcdefWXYZ';
const REPLACEMENT_KEY = 'sk-test-openai-replacement-9876ABCD';

describe.each(TEST_DIALECTS)('provider-key operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
    orgA = await h.org('A');
    orgB = await h.org('B');
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('stores, replaces, lists and deletes a key, auditing last4 only and announcing each change', async () => {
    const stored = unwrap(await h.ops.providerKeys.set(orgA, 'openai', OPENAI_KEY, ACTOR));
    expect(stored).toEqual({ provider: 'openai', name: 'default', last4: 'WXYZ', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.vault.getProviderKey(orgA, 'openai')).toMatchObject({ ok: true, key: OPENAI_KEY });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai', name: 'default' } }]);

    const replaced = unwrap(await h.ops.providerKeys.set(orgA, 'openai', REPLACEMENT_KEY, ACTOR));
    expect(replaced).toMatchObject({ last4: 'ABCD', rotatedAt: expect.any(String) });
    expect(unwrap(await h.ops.providerKeys.list(orgA))).toEqual([replaced]);
    expect(unwrap(await h.ops.providerKeys.list(orgB))).toEqual([]);

    const audits = (await h.audit('provider_key.set')).filter((e) => e.orgId === orgA);
    expect(audits.map((e) => e.details)).toEqual([
      { provider: 'openai', name: 'default', last4: 'ABCD', replaced: true },
      { provider: 'openai', name: 'default', last4: 'WXYZ', replaced: false },
    ]);
    const everything = JSON.stringify([await h.repos.auditLog.list({ limit: 1000 }), unwrap(await h.ops.providerKeys.list(orgA))]);
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(REPLACEMENT_KEY);

    h.clearChanges();
    unwrap(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR));
    expect(await h.vault.getProviderKey(orgA, 'openai')).toEqual({ ok: false, reason: 'missing' });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai' } }]);
    expect((await h.audit('provider_key.delete')).find((e) => e.orgId === orgA)?.details).toEqual({
      provider: 'openai',
      name: 'default',
      last4: 'ABCD',
    });
    expect(failure(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR)).code).toBe('not_found');
  });

  it('holds several named keys per provider: set and listed by name, deleted one by name (404 when absent), then all', async () => {
    const eu = unwrap(await h.ops.providerKeys.set(orgA, 'openai', 'sk-test-openai-eu-0123456789EU01', ACTOR, { name: 'eu' }));
    expect(eu).toMatchObject({ provider: 'openai', name: 'eu', last4: 'EU01', rotatedAt: null });
    unwrap(await h.ops.providerKeys.set(orgA, 'openai', OPENAI_KEY, ACTOR));
    unwrap(await h.ops.providerKeys.set(orgA, 'openai', 'sk-test-openai-us-0123456789US01', ACTOR, { name: 'us.west_2-b' }));
    unwrap(await h.ops.providerKeys.set(orgA, 'anthropic', 'sk-test-anthropic-eu-0123456789', ACTOR, { name: 'eu' }));
    expect(unwrap(await h.ops.providerKeys.list(orgA)).map((key) => `${key.provider}/${key.name}`)).toEqual([
      'anthropic/eu',
      'openai/default',
      'openai/eu',
      'openai/us.west_2-b',
    ]);
    expect(await h.vault.getProviderKey(orgA, 'openai', 'eu')).toMatchObject({ ok: true, key: 'sk-test-openai-eu-0123456789EU01' });
    expect((await h.audit('provider_key.set')).find((e) => e.orgId === orgA)?.details).toEqual({
      provider: 'anthropic',
      name: 'eu',
      last4: '6789',
      replaced: false,
    });

    h.clearChanges();
    unwrap(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR, { name: 'eu' }));
    expect(await h.vault.getProviderKey(orgA, 'openai', 'eu')).toEqual({ ok: false, reason: 'missing' });
    expect(await h.vault.getProviderKey(orgA, 'openai')).toMatchObject({ ok: true, key: OPENAI_KEY });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai', name: 'eu' } }]);
    const again = failure(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR, { name: 'eu' }));
    expect([again.code, again.message]).toEqual(['not_found', 'This org has no openai key named eu']);

    // Without a name: every key of the provider, one audit record per key, one change event for all.
    h.clearChanges();
    unwrap(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR));
    for (const name of ['default', 'us.west_2-b']) expect((await h.vault.getProviderKey(orgA, 'openai', name)).ok).toBe(false);
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai' } }]);
    const deletions = (await h.audit('provider_key.delete')).filter((e) => e.orgId === orgA).slice(0, 3);
    expect(deletions.map((e) => e.details)).toEqual(
      expect.arrayContaining([
        { provider: 'openai', name: 'default', last4: 'WXYZ' },
        { provider: 'openai', name: 'eu', last4: 'EU01' },
        { provider: 'openai', name: 'us.west_2-b', last4: 'US01' },
      ]),
    );
    expect(deletions).toHaveLength(3);
    expect(unwrap(await h.ops.providerKeys.list(orgA)).map((key) => `${key.provider}/${key.name}`)).toEqual(['anthropic/eu']);
    unwrap(await h.ops.providerKeys.delete(orgA, 'anthropic', ACTOR));
  });

  it('refuses a malformed key name with invalid_request naming `name`, on set and delete', async () => {
    for (const name of ['', '-eu', '.eu', 'e u', 'eu/1', 'a|b', 'x'.repeat(65), 'é', 42, null]) {
      const set = failure(await h.ops.providerKeys.set(orgA, 'openai', OPENAI_KEY, ACTOR, { name }));
      expect([set.code, set.details]).toEqual(['invalid_request', { param: 'name' }]);
      const del = failure(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR, { name }));
      expect([del.code, del.details]).toEqual(['invalid_request', { param: 'name' }]);
    }
    expect(unwrap(await h.ops.providerKeys.set(orgA, 'openai', OPENAI_KEY, ACTOR, { name: 'x'.repeat(64) })).name).toBe('x'.repeat(64));
    unwrap(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR));
    h.clearChanges();
  });

  it('accepts only the providers of the registry, and validates the key without echoing it', async () => {
    for (const provider of ['acme-llm', 'OpenAI', '']) {
      const error = failure(await h.ops.providerKeys.set(orgA, provider, OPENAI_KEY, ACTOR));
      expect([error.code, error.details]).toEqual(['invalid_request', { param: 'provider' }]);
    }
    expect(failure(await h.ops.providerKeys.delete(orgA, 'acme-llm', ACTOR)).details).toEqual({ param: 'provider' });
    for (const key of ['short', 'sk-has whitespace-inside-0123', 'x'.repeat(5000)]) {
      const error = failure(await h.ops.providerKeys.set(orgA, 'anthropic', key, ACTOR));
      expect([error.code, error.details]).toEqual(['invalid_request', { param: 'key' }]);
      expect(error.message).not.toContain(key);
    }
    expect(unwrap(await h.ops.providerKeys.list(orgA))).toEqual([]);
    expect(h.changes).toEqual([]);
  });

  it("never reaches another org's key", async () => {
    unwrap(await h.ops.providerKeys.set(orgB, 'anthropic', 'sk-ant-test-orgB-0123456789', ACTOR));
    h.clearChanges();
    expect(failure(await h.ops.providerKeys.delete(orgA, 'anthropic', ACTOR)).code).toBe('not_found');
    expect(await h.vault.getProviderKey(orgB, 'anthropic')).toMatchObject({ ok: true });
    const missing = 'org_01jzzzzzzzzzzzzzzzzzzzzzzz';
    expect(failure(await h.ops.providerKeys.set(missing, 'openai', OPENAI_KEY, ACTOR)).code).toBe('not_found');
    expect(failure(await h.ops.providerKeys.list(missing)).code).toBe('not_found');
    expect(h.changes).toEqual([]);
  });
});
