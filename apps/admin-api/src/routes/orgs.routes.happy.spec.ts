import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { listOf } from '../schemas/common.schemas';
import { orgSchema, workspaceSchema } from '../schemas/org.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf, errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('orgs and workspaces: happy paths (%s)', (dialect) => {
  let h: AdminHarness;
  let tenant: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    tenant = await h.seedTenant('Seeded');
  });
  afterAll(() => h.close());

  it('creates an org (201), lists and gets it, and audits the caller with its client address', async () => {
    const created = await h.http().post('/admin/orgs').set(asPlatform).set('X-Forwarded-For', '198.51.100.23').send({ name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^org_/),
      name: 'Acme',
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const { id } = bodyOf(created, orgSchema);
    const listed = await h.http().get('/admin/orgs').set(asPlatform);
    expect(listed.status).toBe(200);
    expect(bodyOf(listed, listOf(orgSchema)).data.map((org) => org.id)).toEqual(expect.arrayContaining([id, tenant.orgId]));
    const got = await h.http().get(`/admin/orgs/${id}`).set(asPlatform);
    expect(got.body).toEqual(created.body);

    const audit = await h.runtime.repos.auditLog.list({ orgId: id });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'org.create',
        actorType: 'bootstrap',
        actorId: null,
        ip: '198.51.100.23',
        targetId: id,
      }),
    ]);
  });

  it("lets an org's admin key read its own org", async () => {
    const res = await h.http().get(`/admin/orgs/${tenant.orgId}`).set(bearer(tenant.adminKey));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: tenant.orgId, name: 'Seeded', enabled: true });
  });

  it('flips the kill switch: announced before the response, and the org keys are refused at once', async () => {
    const org = await h.seedTenant('Switchable');
    const seen: unknown[] = [];
    const unsubscribe = h.runtime.changeFeed.subscribe(CHANGE_TOPICS.orgChanged, (payload) => {
      seen.push(payload);
    });
    try {
      const off = await h.http().put(`/admin/orgs/${org.orgId}/enabled`).set(asPlatform).send({ enabled: false });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: org.orgId, enabled: false });
      expect(seen).toEqual([{ orgId: org.orgId }]);
      // The same verifier the gateway uses now refuses the org's keys.
      expect(await h.deps.verifyKey(org.proxyKey)).toMatchObject({ valid: false, code: 'org_disabled' });
      const refused = await h.http().get(`/admin/orgs/${org.orgId}`).set(bearer(org.adminKey));
      expect([refused.status, errorOf(refused).code]).toEqual([403, 'forbidden']);

      const on = await h.http().put(`/admin/orgs/${org.orgId}/enabled`).set(asPlatform).send({ enabled: true });
      expect(bodyOf(on, orgSchema).enabled).toBe(true);
      expect((await h.deps.verifyKey(org.proxyKey)).valid).toBe(true);
      const actions = (await h.runtime.repos.auditLog.list({ orgId: org.orgId })).map((e) => e.action);
      expect(actions.slice(0, 2)).toEqual(['org.enable', 'org.disable']);
    } finally {
      unsubscribe();
    }
  });

  it('creates (201) and lists workspaces, as a platform admin or the org admin key', async () => {
    const created = await h.http().post(`/admin/orgs/${tenant.orgId}/workspaces`).set(bearer(tenant.adminKey)).send({ name: 'research' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ws_/),
      orgId: tenant.orgId,
      name: 'research',
      createdAt: expect.any(String),
    });
    const listed = await h.http().get(`/admin/orgs/${tenant.orgId}/workspaces`).set(asPlatform);
    expect(listed.status).toBe(200);
    expect(bodyOf(listed, listOf(workspaceSchema)).data.map((w) => w.name)).toEqual(['ws', 'research']);
    const [audit] = await h.runtime.repos.auditLog.list({ orgId: tenant.orgId, limit: 1 });
    expect(audit).toMatchObject({ action: 'workspace.create', actorType: 'gateway_key', targetId: bodyOf(created, workspaceSchema).id });
  });
});
