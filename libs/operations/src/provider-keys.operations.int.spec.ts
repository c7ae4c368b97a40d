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
    expect(stored).toEqual({ provider: 'openai', last4: 'WXYZ', createdAt: expect.any(String), rotatedAt: null });
    expect(await h.vault.getProviderKey(orgA, 'openai')).toMatchObject({ ok: true, key: OPENAI_KEY });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai' } }]);

    const replaced = unwrap(await h.ops.providerKeys.set(orgA, 'openai', REPLACEMENT_KEY, ACTOR));
    expect(replaced).toMatchObject({ last4: 'ABCD', rotatedAt: expect.any(String) });
    expect(unwrap(await h.ops.providerKeys.list(orgA))).toEqual([replaced]);
    expect(unwrap(await h.ops.providerKeys.list(orgB))).toEqual([]);

    const audits = (await h.audit('provider_key.set')).filter((e) => e.orgId === orgA);
    expect(audits.map((e) => e.details)).toEqual([
      { provider: 'openai', last4: 'ABCD', replaced: true },
      { provider: 'openai', last4: 'WXYZ', replaced: false },
    ]);
    const everything = JSON.stringify([await h.repos.auditLog.list({ limit: 1000 }), unwrap(await h.ops.providerKeys.list(orgA))]);
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(REPLACEMENT_KEY);

    h.clearChanges();
    unwrap(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR));
    expect(await h.vault.getProviderKey(orgA, 'openai')).toEqual({ ok: false, reason: 'missing' });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.providerKeyChanged, payload: { orgId: orgA, provider: 'openai' } }]);
    expect((await h.audit('provider_key.delete')).find((e) => e.orgId === orgA)?.details).toEqual({ provider: 'openai', last4: 'ABCD' });
    expect(failure(await h.ops.providerKeys.delete(orgA, 'openai', ACTOR)).code).toBe('not_found');
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
