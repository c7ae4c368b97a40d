import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';

describe.each(TEST_DIALECTS)('policies: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    t = await h.seedTenant();
  });
  afterAll(() => h.close());

  it('starts empty, replaces the whole set (200), announces policy.changed and audits it', async () => {
    expect((await h.http().get(`/admin/orgs/${t.orgId}/policies`).set(bearer(t.adminKey))).body).toEqual({ data: [] });
    const seen: unknown[] = [];
    const unsubscribe = h.runtime.changeFeed.subscribe(CHANGE_TOPICS.policyChanged, (payload) => {
      seen.push(payload);
    });
    const res = await h
      .http()
      .put(`/admin/orgs/${t.orgId}/policies`)
      .set(bearer(t.adminKey))
      .send({
        policies: [
          { scope: { type: 'org' }, mode: 'redact_storage' },
          { scope: { type: 'workspace', value: t.workspaceId }, mode: 'block', detectors: ['secrets', 'credit_card'] },
          { scope: { type: 'key', value: t.targetKeyId }, mode: 'off' },
        ],
      });
    unsubscribe();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          id: expect.stringMatching(/^pol_/),
          scope: { type: 'key', value: t.targetKeyId },
          mode: 'off',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        {
          id: expect.stringMatching(/^pol_/),
          scope: { type: 'org' },
          mode: 'redact_storage',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        {
          id: expect.stringMatching(/^pol_/),
          scope: { type: 'workspace', value: t.workspaceId },
          mode: 'block',
          detectors: ['secrets', 'credit_card'],
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
    });
    expect(seen).toEqual([{ orgId: t.orgId }]);
    expect((await h.http().get(`/admin/orgs/${t.orgId}/policies`).set(bearer(BOOTSTRAP_TOKEN))).body).toEqual(res.body);
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({ action: 'policy.replace', actorType: 'gateway_key', details: { count: 3 } });

    const cleared = await h.http().put(`/admin/orgs/${t.orgId}/policies`).set(bearer(BOOTSTRAP_TOKEN)).send({ policies: [] });
    expect(cleared.body).toEqual({ data: [] });
  });

  it('rotates the placeholder salt (a new salt in the vault), audited', async () => {
    const before = await h.runtime.vault.getOrCreateOrgSecret(t.orgId, 'navplane.placeholder-salt');
    const res = await h.http().post(`/admin/orgs/${t.orgId}/policies/salt/rotate`).set(bearer(t.adminKey)).send();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ rotatedAt: expect.any(String) });
    const after = await h.runtime.vault.getOrCreateOrgSecret(t.orgId, 'navplane.placeholder-salt');
    expect(before.ok && after.ok && before.key !== after.key).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(after.ok ? after.key : 'never');
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({ action: 'policy.salt_rotate', targetId: t.orgId });
    expect(JSON.stringify(audit)).not.toContain(after.ok ? after.key : 'never');
    // The salt is not a provider key.
    const listed = await h.http().get(`/admin/orgs/${t.orgId}/provider-keys`).set(bearer(t.adminKey));
    expect(JSON.stringify(listed.body)).not.toContain('navplane.');
  });
});
