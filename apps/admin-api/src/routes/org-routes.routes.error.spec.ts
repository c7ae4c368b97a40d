import { expect } from '@jest/globals';
import { singleTargetTable, TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness, type SeededTenant } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('routes: errors (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
  });
  afterAll(() => h.close());

  const { input: kept, stored: keptStored } = singleTargetTable('kept');

  it('refuses a bad table with 400 invalid_request naming each problem’s route and target, changing nothing', async () => {
    expect((await h.http().put(`/admin/orgs/${a.orgId}/routes`).set(bearer(BOOTSTRAP_TOKEN)).send(kept)).status).toBe(200);
    const audits = (await h.runtime.repos.auditLog.list({ orgId: a.orgId, limit: 1000 })).length;
    const cases: Array<[unknown, string, string[]]> = [
      [{}, 'routes', ['routes: ']],
      [[], '(document)', ['(document): ']],
      [{ routes: [], weights: {} }, '(document)', ['Unrecognized key']],
      [
        {
          routes: [
            {
              model: 'smart',
              targets: [
                { provider: 'openai', model: 'gpt-4.1' },
                { provider: 'openia', model: 'gpt-4.1' },
              ],
            },
          ],
        },
        'routes[0].targets[1].provider',
        ['routes[0].targets[1].provider (route "smart"): unknown provider "openia"'],
      ],
      [
        {
          routes: [
            { model: 'ok', targets: [{ provider: 'openai', model: 'gpt-4.1' }] },
            {
              model: 'mixed',
              targets: [
                { provider: 'openai', model: 'gpt-4.1' },
                { provider: 'anthropic', model: 'claude-sonnet-4-5' },
              ],
            },
          ],
        },
        'routes[1].targets[1].key',
        [
          '(2 problems)',
          'routes[1].targets[1].key (route "mixed"): this org has no anthropic key stored',
          'routes[1].targets (route "mixed"): targets speak different API formats (anthropic, openai)',
        ],
      ],
      [
        { routes: [{ model: 'eu', targets: [{ provider: 'openai', model: 'gpt-4.1', key: 'eu' }] }] },
        'routes[0].targets[0].key',
        ['routes[0].targets[0].key (route "eu"): this org has no openai key named "eu" (it has: default)'],
      ],
      [
        { routes: [{ model: 'claude', targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] }] },
        'routes[0].targets[0].key',
        ['this org has no anthropic key stored'],
      ],
      [
        {
          routes: [
            { model: 'w', strategy: 'random', targets: [{ provider: 'openai', model: 'gpt-4.1', weight: -1 }], retry: { attempts: 11 } },
          ],
        },
        'routes[0].strategy',
        [
          '(3 problems)',
          'routes[0].strategy (route "w")',
          'routes[0].targets[0].weight (route "w")',
          'routes[0].retry.attempts (route "w")',
        ],
      ],
    ];
    for (const [body, param, messages] of cases) {
      const res = await h
        .http()
        .put(`/admin/orgs/${a.orgId}/routes`)
        .set(bearer(a.adminKey))
        .send(body as object);
      const error = errorOf(res);
      expect([res.status, error.code, error.type, error.param]).toEqual([400, 'invalid_request', 'invalid_request_error', param]);
      for (const message of messages) expect(error.message).toContain(message);
    }
    expect((await h.http().get(`/admin/orgs/${a.orgId}/routes`).set(bearer(a.adminKey))).body).toEqual(keptStored);
    expect(await h.runtime.repos.auditLog.list({ orgId: a.orgId, limit: 1000 })).toHaveLength(audits);
  });

  it('refuses a body that is not JSON (415) and JSON that does not parse (400)', async () => {
    const text = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/routes`)
      .set(bearer(a.adminKey))
      .set('Content-Type', 'text/plain')
      .send('routes');
    expect([text.status, errorOf(text).code]).toEqual([415, 'unsupported_media_type']);
    const broken = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/routes`)
      .set(bearer(a.adminKey))
      .set('Content-Type', 'application/json')
      .send('{"routes":');
    expect([broken.status, errorOf(broken).code]).toEqual([400, 'invalid_request']);
  });

  it('confines an org admin key to its own org (404 for another org’s table, read or write) and refuses a proxy key (403)', async () => {
    const read = await h.http().get(`/admin/orgs/${b.orgId}/routes`).set(bearer(a.adminKey));
    expect([read.status, errorOf(read).code]).toEqual([404, 'not_found']);
    const write = await h.http().put(`/admin/orgs/${b.orgId}/routes`).set(bearer(a.adminKey)).send(kept);
    expect([write.status, errorOf(write).code]).toEqual([404, 'not_found']);
    const proxy = await h.http().put(`/admin/orgs/${a.orgId}/routes`).set(bearer(a.proxyKey)).send(kept);
    expect([proxy.status, errorOf(proxy).code]).toEqual([403, 'forbidden']);
    const none = await h.http().get(`/admin/orgs/${a.orgId}/routes`);
    expect([none.status, errorOf(none).code]).toEqual([401, 'unauthorized']);
    expect((await h.http().get(`/admin/orgs/${b.orgId}/routes`).set(bearer(BOOTSTRAP_TOKEN))).body).toEqual({ routes: [] });
  });

  it('answers an unknown org with 404', async () => {
    const res = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/routes').set(bearer(BOOTSTRAP_TOKEN));
    expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
    const put = await h.http().put('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/routes').set(bearer(BOOTSTRAP_TOKEN)).send({ routes: [] });
    expect([put.status, errorOf(put).code]).toEqual([404, 'not_found']);
  });
});
