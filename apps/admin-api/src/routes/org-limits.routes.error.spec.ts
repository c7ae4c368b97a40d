import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { adminSuite, bearer, BOOTSTRAP_TOKEN } from '../testing/admin-harness.fixture';
import { errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('limits: errors (%s)', (dialect) => {
  const suite = adminSuite(dialect, ['A', 'B']);

  const kept = { limits: [{ scope: { type: 'org' }, rpm: 100 }] };

  it('refuses a bad document with 400 invalid_request naming every problem’s path, changing nothing', async () => {
    const { h, a, b } = suite;
    expect((await h.http().put(`/admin/orgs/${a.orgId}/limits`).set(bearer(BOOTSTRAP_TOKEN)).send(kept)).status).toBe(200);
    const audits = (await h.runtime.repos.auditLog.list({ orgId: a.orgId, limit: 1000 })).length;
    const cases: Array<[unknown, string, string[]]> = [
      [{}, 'limits', ['Invalid limits document: limits: ']],
      [[], '(document)', ['(document): ']],
      [{ limits: [], alerts: {} }, '(document)', ['Unrecognized key']],
      [{ limits: [{ scope: { type: 'team' }, rpm: 1 }] }, 'limits[0].scope.type', ['limits[0].scope.type: ']],
      [
        { limits: [{ scope: { type: 'key', id: 'sk-not-an-id' }, rpm: 1 }] },
        'limits[0].scope.id',
        ['limits[0].scope.id: must be a NavPlane id'],
      ],
      [
        { limits: [{ scope: { type: 'org' }, rpm: -1, tpm: 10_000_000_001, concurrency: 2.5, budget: { usd: 0, period: 'year' } }] },
        'limits[0].rpm',
        [
          '(5 problems)',
          'limits[0].rpm: ',
          'limits[0].tpm: ',
          'limits[0].concurrency: ',
          'limits[0].budget.usd: ',
          'limits[0].budget.period: ',
        ],
      ],
      [
        {
          limits: [
            {
              scope: { type: 'org' },
              budget: { usd: 1, period: 'day' },
              alerts: { thresholds: [0.5, 0.5, 11], webhookUrl: 'https://user:pw@hooks.example.com/' },
            },
          ],
        },
        'limits[0].alerts.thresholds[2]',
        [
          'limits[0].alerts.thresholds[2]: ',
          'limits[0].alerts.thresholds: lists a threshold twice',
          'limits[0].alerts.webhookUrl: must be an absolute http(s) URL without credentials',
        ],
      ],
      [
        {
          limits: [
            { scope: { type: 'workspace', id: a.workspaceId }, rpm: 1 },
            { scope: { type: 'workspace', id: a.workspaceId }, rpm: 2 },
            { scope: { type: 'key', id: a.targetKeyId } },
            { scope: { type: 'org' }, rpm: 1, alerts: { thresholds: [1], webhookUrl: 'https://hooks.example.com/' } },
          ],
        },
        'limits[1].scope',
        [
          '(3 problems)',
          'limits[1].scope: limits[0] has the same scope',
          'limits[2]: limits nothing: set rpm, tpm, concurrency or budget',
          'limits[3].alerts: alerts are thresholds of a budget: set budget too',
        ],
      ],
      [
        {
          limits: [
            { scope: { type: 'org', id: b.orgId }, rpm: 1 },
            { scope: { type: 'workspace', id: b.workspaceId }, rpm: 1 },
            { scope: { type: 'key', id: b.targetKeyId }, rpm: 1 },
          ],
        },
        'limits[0].scope.id',
        [
          '(3 problems)',
          `limits[0].scope.id: is not this org's id (${a.orgId})`,
          `limits[1].scope.id: no workspace "${b.workspaceId}" in this org`,
          `limits[2].scope.id: no NavPlane key "${b.targetKeyId}" in this org`,
        ],
      ],
    ];
    for (const [body, param, messages] of cases) {
      const res = await h
        .http()
        .put(`/admin/orgs/${a.orgId}/limits`)
        .set(bearer(a.adminKey))
        .send(body as object);
      const error = errorOf(res);
      expect([res.status, error.code, error.type, error.param]).toEqual([400, 'invalid_request', 'invalid_request_error', param]);
      for (const message of messages) expect(error.message).toContain(message);
    }
    expect((await h.http().get(`/admin/orgs/${a.orgId}/limits`).set(bearer(a.adminKey))).body).toEqual(kept);
    expect(await h.runtime.repos.auditLog.list({ orgId: a.orgId, limit: 1000 })).toHaveLength(audits);
  });

  it('refuses a body that is not JSON (415), JSON that does not parse (400) and a body over the size limit (413)', async () => {
    const { h, a } = suite;
    const text = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/limits`)
      .set(bearer(a.adminKey))
      .set('Content-Type', 'text/plain')
      .send('limits');
    expect([text.status, errorOf(text).code]).toEqual([415, 'unsupported_media_type']);
    const broken = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/limits`)
      .set(bearer(a.adminKey))
      .set('Content-Type', 'application/json')
      .send('{"limits":');
    expect([broken.status, errorOf(broken).code]).toEqual([400, 'invalid_request']);
    const huge = await h
      .http()
      .put(`/admin/orgs/${a.orgId}/limits`)
      .set(bearer(a.adminKey))
      .send({ limits: Array.from({ length: 5000 }, () => ({ scope: { type: 'org' }, rpm: 1, budget: { usd: 1, period: 'month' } })) });
    expect([huge.status, errorOf(huge).code]).toEqual([413, 'request_too_large']);
    expect((await h.http().get(`/admin/orgs/${a.orgId}/limits`).set(bearer(a.adminKey))).body).toEqual(kept);
  });

  it('answers an unknown org with 404', async () => {
    const { h } = suite;
    const res = await h.http().get('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/limits').set(bearer(BOOTSTRAP_TOKEN));
    expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
    const put = await h.http().put('/admin/orgs/org_01jzzzzzzzzzzzzzzzzzzzzzzz/limits').set(bearer(BOOTSTRAP_TOKEN)).send({ limits: [] });
    expect([put.status, errorOf(put).code]).toEqual([404, 'not_found']);
  });
});
