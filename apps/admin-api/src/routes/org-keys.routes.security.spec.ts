import { TEST_DIALECTS } from '@navplane/testing';
import { issuedKeySchema, rotatedKeySchema } from '../schemas/key.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('org keys: security (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it("cannot reach another org's key through its own org's path", async () => {
    const asA = bearer(a.adminKey);
    const revoke = await h.http().delete(`/admin/orgs/${a.orgId}/keys/${b.targetKeyId}`).set(asA);
    const rotate = await h.http().post(`/admin/orgs/${a.orgId}/keys/${b.targetKeyId}/rotate`).set(asA).send({});
    expect([revoke.status, rotate.status]).toEqual([404, 404]);
    expect((await h.deps.verifyKey(b.targetKey)).valid).toBe(true);
  });

  it('never shows a key hash, and never writes a key into the audit log or the logs', async () => {
    const issued = await h.http().post(`/admin/orgs/${a.orgId}/keys`).set(bearer(BOOTSTRAP_TOKEN)).send({ name: 'secretive' });
    const issuedKey = bodyOf(issued, issuedKeySchema);
    const rotated = await h.http().post(`/admin/orgs/${a.orgId}/keys/${issuedKey.id}/rotate`).set(bearer(BOOTSTRAP_TOKEN)).send({});
    const listed = await h.http().get(`/admin/orgs/${a.orgId}/keys`).set(bearer(BOOTSTRAP_TOKEN));
    const stored = await h.runtime.repos.gatewayKeys.findById(issuedKey.id);
    const everything = JSON.stringify([issued.body, rotated.body, listed.body]);
    expect(everything).not.toContain(stored?.secretHash);
    expect(everything).not.toMatch(/secretHash|publicId|sha256:/);
    const audit = JSON.stringify(await h.runtime.repos.auditLog.list({ limit: 1000 }));
    const logs = h.logs();
    for (const secret of [issuedKey.key, bodyOf(rotated, rotatedKeySchema).key, a.adminKey]) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it('lets an admin key grant any scope only inside its own org', async () => {
    const res = await h
      .http()
      .post(`/admin/orgs/${a.orgId}/keys`)
      .set(bearer(a.adminKey))
      .send({ name: 'child', scopes: ['admin'] });
    expect(res.status).toBe(201);
    expect(
      (
        await h
          .http()
          .get(`/admin/orgs/${b.orgId}`)
          .set(bearer(bodyOf(res, issuedKeySchema).key))
      ).status,
    ).toBe(404);
  });
});
