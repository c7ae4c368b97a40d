import { expect } from '@jest/globals';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

describe.each(TEST_DIALECTS)('workspace operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
    orgA = await h.org('A');
    orgB = await h.org('B');
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('creates and lists workspaces of one org only, audited', async () => {
    const created = unwrap(await h.ops.workspaces.create(orgA, { name: 'research' }, ACTOR));
    expect(created).toMatchObject({ id: expect.stringMatching(/^ws_/), orgId: orgA, name: 'research' });
    expect(unwrap(await h.ops.workspaces.list(orgA))).toEqual([created]);
    expect(unwrap(await h.ops.workspaces.list(orgB))).toEqual([]);
    expect((await h.audit('workspace.create')).find((e) => e.targetId === created.id)).toMatchObject({
      orgId: orgA,
      targetType: 'workspace',
      actorId: ACTOR.id,
      details: { name: 'research' },
    });
    // No gateway cache holds workspaces: nothing to announce.
    expect(h.changes).toEqual([]);
  });

  it('validates the name before looking at the org', async () => {
    expect(failure(await h.ops.workspaces.create(orgA, { name: '' }, ACTOR)).details).toEqual({ param: 'name' });
    expect(failure(await h.ops.workspaces.create('org_missing', { name: '' }, ACTOR)).code).toBe('invalid_request');
  });

  it('answers not_found for an unknown org', async () => {
    const missing = 'org_01jzzzzzzzzzzzzzzzzzzzzzzz';
    expect(failure(await h.ops.workspaces.create(missing, { name: 'x' }, ACTOR)).code).toBe('not_found');
    expect(failure(await h.ops.workspaces.list(missing)).code).toBe('not_found');
  });
});
