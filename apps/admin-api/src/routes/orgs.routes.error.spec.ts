import { TEST_DIALECTS } from '@navplane/testing';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness } from '../testing/admin-harness.fixture';

const asPlatform = bearer(BOOTSTRAP_TOKEN);
const MISSING_ORG = 'org_01jzzzzzzzzzzzzzzzzzzzzzzz';

describe.each(TEST_DIALECTS)('orgs and workspaces: errors (%s)', (dialect) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(dialect);
  });
  afterAll(() => h.close());

  const expectInvalid = (res: { status: number; body: { error?: { code: string; param?: string; message: string } } }, param: string) => {
    expect([res.status, res.body.error?.code, res.body.error?.param]).toEqual([400, 'invalid_request', param]);
    expect(res.body.error?.message).toContain(param);
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
    const org = (await h.http().post('/admin/orgs').set(asPlatform).send({ name: 'Acme' })).body as { id: string };
    expectInvalid(await h.http().put(`/admin/orgs/${org.id}/enabled`).set(asPlatform).send({ enabled: 'false' }), 'enabled');
    expectInvalid(await h.http().post(`/admin/orgs/${org.id}/workspaces`).set(asPlatform).send({ title: 'x', name: 'x' }), 'title');
    expect((await h.http().get('/admin/orgs').set(asPlatform)).body.data).toHaveLength(1);
  });

  it('answers malformed JSON with 400, a non-JSON body with 415 and an oversized one with 413', async () => {
    const malformed = await h.http().post('/admin/orgs').set(asPlatform).set('Content-Type', 'application/json').send('{"name":');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'invalid_request']);
    const text = await h.http().post('/admin/orgs').set(asPlatform).set('Content-Type', 'text/plain').send('name=Acme');
    expect([text.status, text.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const huge = await h
      .http()
      .post('/admin/orgs')
      .set(asPlatform)
      .send({ name: 'x'.repeat(300_000) });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'request_too_large']);
    const array = await h
      .http()
      .post('/admin/orgs')
      .set(asPlatform)
      .send([{ name: 'Acme' }]);
    expect([array.status, array.body.error.code]).toEqual([400, 'invalid_request']);
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
      expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    }
  });
});
