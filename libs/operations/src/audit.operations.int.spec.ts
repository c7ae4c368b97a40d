import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';

describe.each(TEST_DIALECTS)('audit operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
    orgA = await h.org('A');
    orgB = await h.org('B');
    for (let i = 0; i < 4; i += 1) unwrap(await h.ops.workspaces.create(orgA, { name: `ws${i}` }, ACTOR));
    unwrap(await h.ops.workspaces.create(orgB, { name: 'b' }, ACTOR));
  });
  afterAll(() => h.close());

  it("lists an org's records newest first, paged by cursor", async () => {
    const first = unwrap(await h.ops.audit.list({ orgId: orgA, limit: 3 }));
    expect(first.items).toHaveLength(3);
    expect(first.items.every((e) => e.orgId === orgA)).toBe(true);
    expect(first.nextCursor).toBe(first.items[2]?.id);
    const second = unwrap(await h.ops.audit.list({ orgId: orgA, limit: 3, before: first.nextCursor ?? undefined }));
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(all.map((e) => e.action).sort()).toEqual(['org.create', ...Array<string>(4).fill('workspace.create')].sort());
    const times = all.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('lists every org when no org is given', async () => {
    const page = unwrap(await h.ops.audit.list());
    expect(new Set(page.items.map((e) => e.orgId))).toEqual(new Set([orgA, orgB]));
  });

  it('validates limit and cursor, and answers not_found for an unknown org', async () => {
    expect(failure(await h.ops.audit.list({ limit: 0 })).details).toEqual({ param: 'limit' });
    expect(failure(await h.ops.audit.list({ limit: 1001 })).details).toEqual({ param: 'limit' });
    expect(failure(await h.ops.audit.list({ before: 'trc_01jzzzzzzzzzzzzzzzzzzzzzzz' })).details).toEqual({ param: 'before' });
    expect(failure(await h.ops.audit.list({ orgId: 'org_01jzzzzzzzzzzzzzzzzzzzzzzz' })).code).toBe('not_found');
  });
});
