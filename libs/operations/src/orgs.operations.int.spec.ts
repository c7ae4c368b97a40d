import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

describe.each(TEST_DIALECTS)('org operations (%s)', (dialect) => {
  let h: OperationsHarness;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('creates an enabled org, audits it and announces it', async () => {
    const org = unwrap(await h.ops.orgs.create({ name: '  Acme Corp ' }, ACTOR));
    expect(org).toMatchObject({ id: expect.stringMatching(/^org_/), name: 'Acme Corp', enabled: true });
    expect(unwrap(await h.ops.orgs.get(org.id))).toEqual(org);
    expect(unwrap(await h.ops.orgs.list()).map((o) => o.id)).toContain(org.id);

    const [audit] = await h.audit('org.create');
    expect(audit).toMatchObject({
      actorType: 'admin_token',
      actorId: ACTOR.id,
      ip: '203.0.113.7',
      orgId: org.id,
      targetType: 'org',
      targetId: org.id,
      details: { name: 'Acme Corp' },
    });
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.orgChanged, payload: { orgId: org.id } }]);
  });

  it('flips the kill switch, audits each flip and announces it before returning', async () => {
    const orgId = await h.org();
    h.clearChanges();
    const disabled = unwrap(await h.ops.orgs.setEnabled(orgId, false, ACTOR));
    expect(disabled.enabled).toBe(false);
    expect((await h.repos.orgs.findById(orgId))?.enabled).toBe(false);
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.orgChanged, payload: { orgId } }]);
    expect((await h.audit('org.disable')).find((e) => e.targetId === orgId)).toMatchObject({
      orgId,
      details: { enabled: false },
    });

    expect(unwrap(await h.ops.orgs.setEnabled(orgId, true, { type: 'cli', id: null })).enabled).toBe(true);
    expect((await h.audit('org.enable')).find((e) => e.targetId === orgId)).toMatchObject({
      actorType: 'cli',
      actorId: null,
      ip: null,
    });
  });

  it('rejects bad names with invalid_request naming the field, writing nothing', async () => {
    const before = (await h.repos.orgs.list()).length;
    const names: unknown[] = ['', '   ', 'x'.repeat(201), 42];
    for (const name of names) {
      // @ts-expect-error -- input arrives as JSON: a name that is not a string must be refused at run time
      const error = failure(await h.ops.orgs.create({ name }, ACTOR));
      expect(error.code).toBe('invalid_request');
      expect(error.details).toEqual({ param: 'name' });
    }
    // @ts-expect-error -- input arrives as JSON: `enabled` that is not a boolean must be refused at run time
    expect(failure(await h.ops.orgs.setEnabled('org_x', 'no', ACTOR)).details).toEqual({ param: 'enabled' });
    expect((await h.repos.orgs.list()).length).toBe(before);
    expect(h.changes).toEqual([]);
  });

  it('answers not_found for unknown orgs without auditing or announcing', async () => {
    const auditBefore = (await h.repos.auditLog.list({ limit: 1000 })).length;
    expect(failure(await h.ops.orgs.get('org_01jzzzzzzzzzzzzzzzzzzzzzzz')).code).toBe('not_found');
    expect(failure(await h.ops.orgs.get('nonsense')).code).toBe('not_found');
    expect(failure(await h.ops.orgs.setEnabled('org_01jzzzzzzzzzzzzzzzzzzzzzzz', false, ACTOR)).code).toBe('not_found');
    expect((await h.repos.auditLog.list({ limit: 1000 })).length).toBe(auditBefore);
    expect(h.changes).toEqual([]);
  });
});
