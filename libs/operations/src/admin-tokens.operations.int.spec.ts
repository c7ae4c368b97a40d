import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, BOOTSTRAP_TOKEN, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

describe.each(TEST_DIALECTS)('admin-token operations (%s)', (dialect) => {
  let h: OperationsHarness;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('creates a token shown once, verifies it, lists it without its hash, revokes it; audited and announced', async () => {
    const created = unwrap(await h.ops.adminTokens.create('dashboard', ACTOR));
    expect(created.token).toMatch(/^npa_adm_/);
    expect(created.record).toMatchObject({ id: expect.stringMatching(/^adm_/), name: 'dashboard', revokedAt: null });
    expect(await h.ops.adminTokens.verify(created.token)).toEqual({ valid: true, actor: { type: 'admin_token', id: created.record.id } });
    const listed = unwrap(await h.ops.adminTokens.list());
    expect(listed.map((t) => t.id)).toEqual([created.record.id]);
    expect(JSON.stringify(listed)).not.toMatch(/argon2|tokenHash/);
    expect(JSON.stringify(await h.repos.auditLog.list())).not.toContain(created.token);
    expect((await h.audit('admin_token.create'))[0]).toMatchObject({
      targetId: created.record.id,
      orgId: null,
      details: { name: 'dashboard' },
    });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.adminTokenChanged, payload: { tokenId: created.record.id } }]);

    h.clearChanges();
    expect(unwrap(await h.ops.adminTokens.revoke(created.record.id, ACTOR)).revokedAt).toEqual(expect.any(String));
    expect(await h.ops.adminTokens.verify(created.token)).toEqual({ valid: false, code: 'revoked' });
    expect(unwrap(await h.ops.adminTokens.list())).toEqual([]);
    expect((await h.audit('admin_token.revoke'))[0]).toMatchObject({ targetId: created.record.id, actorId: ACTOR.id });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.adminTokenChanged, payload: { tokenId: created.record.id } }]);
  });

  it('accepts the bootstrap token and refuses anything else', async () => {
    expect(await h.ops.adminTokens.verify(BOOTSTRAP_TOKEN)).toEqual({ valid: true, actor: { type: 'bootstrap', id: null } });
    expect((await h.ops.adminTokens.verify('not-a-token')).valid).toBe(false);
  });

  it('validates the name and answers not_found for an unknown token', async () => {
    expect(failure(await h.ops.adminTokens.create('  ', ACTOR)).details).toEqual({ param: 'name' });
    expect(failure(await h.ops.adminTokens.revoke('adm_01jzzzzzzzzzzzzzzzzzzzzzzz', ACTOR)).code).toBe('not_found');
    expect(h.changes).toEqual([]);
  });
});
