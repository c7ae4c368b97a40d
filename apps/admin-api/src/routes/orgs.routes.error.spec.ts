import { TEST_DIALECTS } from '@navplane/testing';
import type { Response } from 'supertest';
import { listOf } from '../schemas/common.schemas';
import { orgSchema } from '../schemas/org.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness } from '../testing/admin-harness.fixture';
import { bodyOf, errorOf } from '../testing/response-body.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);
const MISSING_ORG = 'org_01jzzzzzzzzzzzzzzzzzzzzzzz';

describe.each(TEST_DIALECTS)('orgs and workspaces: errors (%s)', (dialect) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
  });
  afterAll(() => h.close());

  const expectInvalid = (res: Response, param: string) => {
    const error = errorOf(res);
    expect([res.status, error.code, error.param]).toEqual([400, 'invalid_request', param]);
    expect(error.message).toContain(param);
  };

  it('rejects a missing, empty, mistyped or unknown field with 400 naming it', async () => {
    expectInvalid(await h.http().post('/admin/orgs').set(asPlatform).send({}), 'name');
    expectInvalid(await h.http().post('/admin/orgs').set(asPlatform).send({ name: '   ' }), 'name');
    expectInvalid(await h.http().post('/admin/orgs').set(asPlatform).send({ name: 7 }), 'name');
    expectInvalid(
      await h
        .http()
        .post('/admin/orgs')
        .set(asPlatform)
        .send({ name: 'x'.repeat(201) }),
      'name',
    );
    expectInvalid(await h.http().post('/admin/orgs').set(asPlatform).send({ name: 'Acme', enabled: false }), 'enabled');
    expectInvalid(await h.http().post('/admin/orgs').set(asPlatform), 'name');
    const org = bodyOf(await h.http().post('/admin/orgs').set(asPlatform).send({ name: 'Acme' }), orgSchema);
    expectInvalid(await h.http().put(`/admin/orgs/${org.id}/enabled`).set(asPlatform).send({ enabled: 'false' }), 'enabled');
    expectInvalid(await h.http().post(`/admin/orgs/${org.id}/workspaces`).set(asPlatform).send({ title: 'x', name: 'x' }), 'title');
    expect(bodyOf(await h.http().get('/admin/orgs').set(asPlatform), listOf(orgSchema)).data).toHaveLength(1);
  });

  it('answers malformed JSON with 400, a non-JSON body with 415 and an oversized one with 413', async () => {
    const malformed = await h.http().post('/admin/orgs').set(asPlatform).set('Content-Type', 'application/json').send('{"name":');
    expect([malformed.status, errorOf(malformed).code]).toEqual([400, 'invalid_request']);
    const text = await h.http().post('/admin/orgs').set(asPlatform).set('Content-Type', 'text/plain').send('name=Acme');
    expect([text.status, errorOf(text).code]).toEqual([415, 'unsupported_media_type']);
    const huge = await h
      .http()
      .post('/admin/orgs')
      .set(asPlatform)
      .send({ name: 'x'.repeat(300_000) });
    expect([huge.status, errorOf(huge).code]).toEqual([413, 'request_too_large']);
    const array = await h
      .http()
      .post('/admin/orgs')
      .set(asPlatform)
      .send([{ name: 'Acme' }]);
    expect([array.status, errorOf(array).code]).toEqual([400, 'invalid_request']);
  });

  it('answers unknown orgs with 404 not_found', async () => {
    for (const [method, path, body] of [
      ['get', `/admin/orgs/${MISSING_ORG}`, undefined],
      ['get', '/admin/orgs/not-even-an-id', undefined],
      ['put', `/admin/orgs/${MISSING_ORG}/enabled`, { enabled: false }],
      ['post', `/admin/orgs/${MISSING_ORG}/workspaces`, { name: 'x' }],
      ['get', `/admin/orgs/${MISSING_ORG}/workspaces`, undefined],
    ] as const) {
      const call = h.http()[method](path).set(asPlatform);
      const res = body === undefined ? await call : await call.send(body);
      expect([res.status, errorOf(res).code]).toEqual([404, 'not_found']);
    }
  });
});
