import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('policies: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  it('rejects malformed policy sets with 400 naming the field path, changing nothing', async () => {
    const cases: [unknown, string][] = [
      [{}, 'policies'],
      [{ policies: {} }, 'policies'],
      [{ policies: [{ scope: { type: 'team' }, mode: 'off' }] }, 'policies[0].scope.type'],
      [{ policies: [{ scope: { type: 'org' }, mode: 'shred' }] }, 'policies[0].mode'],
      [{ policies: [{ scope: { type: 'org' }, mode: 'off', detectors: ['dna'] }] }, 'policies[0].detectors[0]'],
      [{ policies: [{ scope: { type: 'key' }, mode: 'off' }] }, 'policies[0].scope.value'],
      [
        {
          policies: [
            { scope: { type: 'org' }, mode: 'off' },
            { scope: { type: 'org' }, mode: 'block' },
          ],
        },
        'policies[1].scope',
      ],
      [{ policies: [{ scope: { type: 'key', value: b.targetKeyId }, mode: 'off' }] }, 'policies[0].scope.value'],
      [{ policies: [], enforce: true }, 'enforce'],
    ];
    for (const [body, param] of cases) {
      const res = await h
        .http()
        .put(`/admin/orgs/${a.orgId}/policies`)
        .set(bearer(BOOTSTRAP_TOKEN))
        .send(body as object);
      const { code, param: named } = errorOf(res);
      expect([res.status, code, named]).toEqual([400, 'invalid_request', param]);
    }
    expect(await h.runtime.repos.policies.listByOrg(a.orgId)).toEqual([]);
  });

  it('answers an unknown org with 404', async () => {
    const res = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/policies').set(bearer(BOOTSTRAP_TOKEN));
    expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
  });
});
