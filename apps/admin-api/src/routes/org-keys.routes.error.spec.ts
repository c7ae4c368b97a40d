import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);

describe.each(TEST_DIALECTS)('org keys: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it('rejects invalid issue requests with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'name'],
      [{ name: 'x', scopes: ['root'] }, 'scopes[0]'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', scopes: 'admin' }, 'scopes'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', workspaceId: b.workspaceId }, 'workspaceId'],
      [{ name: 'x', hash: 'abc' }, 'hash'],
      [{ name: 'x', models: [] }, 'models'],
      [{ name: 'x', models: 'gpt-4.1' }, 'models'],
      [{ name: 'x', models: ['gpt-4.1', '  '] }, 'models[1]'],
      [{ name: 'x', models: [42] }, 'models[0]'],
      [{ name: 'x', models: ['x'.repeat(257)] }, 'models[0]'],
      [{ name: 'x', models: ['gpt-4.1\u0000'] }, 'models[0]'],
      [{ name: 'x', models: Array.from({ length: 101 }, (_, i) => `m${i}`) }, 'models'],
    ];
    const before = (await h.runtime.repos.gatewayKeys.listByOrg(a.orgId)).length;
    for (const [body, param] of cases) {
      const res = await h.http().post(`/admin/orgs/${a.orgId}/keys`).set(asPlatform).send(body);
      const { code, param: named } = errorOf(res);
      expect([res.status, code, named]).toEqual([400, 'invalid_request', param]);
    }
    expect((await h.runtime.repos.gatewayKeys.listByOrg(a.orgId)).length).toBe(before);
  });

  it('rejects a bad grace period and rotating a revoked key (409 conflict)', async () => {
    const key = await h.issueKey(a.orgId, ['proxy'], 'r');
    for (const graceSeconds of [-1, 1.5, 31 * 24 * 3600, '60']) {
      const res = await h.http().post(`/admin/orgs/${a.orgId}/keys/${key.id}/rotate`).set(asPlatform).send({ graceSeconds });
      expect([res.status, errorOf(res).param]).toEqual([400, 'graceSeconds']);
    }
    await h.http().delete(`/admin/orgs/${a.orgId}/keys/${key.id}`).set(asPlatform);
    const conflict = await h.http().post(`/admin/orgs/${a.orgId}/keys/${key.id}/rotate`).set(asPlatform).send({});
    expect([conflict.status, errorOf(conflict).code]).toEqual([409, 'conflict']);
  });

  it('answers unknown keys and orgs with 404', async () => {
    const missingKey = 'key_01jzzzzzzzzzzzzzzzzzzzzzzz';
    for (const res of [
      await h.http().delete(`/admin/orgs/${a.orgId}/keys/${missingKey}`).set(asPlatform),
      await h.http().post(`/admin/orgs/${a.orgId}/keys/${missingKey}/rotate`).set(asPlatform).send({}),
      await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/keys').set(asPlatform),
      await h.http().post('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/keys').set(asPlatform).send({ name: 'x' }),
    ]) {
      expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
    }
  });
});
