import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { ACTOR, failure, startOperationsHarness, unwrap, type OperationsHarness } from './operations-test.fixture';
import type { PolicyInput } from './policy.schema';

describe.each(TEST_DIALECTS)('policy operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  let workspaceA: string;
  let workspaceB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
    orgA = await h.org('A');
    orgB = await h.org('B');
    workspaceA = unwrap(await h.ops.workspaces.create(orgA, { name: 'a' }, ACTOR)).id;
    workspaceB = unwrap(await h.ops.workspaces.create(orgB, { name: 'b' }, ACTOR)).id;
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('replaces the whole policy set, audits it and announces policy.changed', async () => {
    expect(unwrap(await h.ops.policies.get(orgA))).toEqual([]);
    const stored = unwrap(
      await h.ops.policies.put(
        orgA,
        [
          { scope: { type: 'org' }, mode: 'redact_storage' },
          { scope: { type: 'workspace', value: workspaceA }, mode: 'block', detectors: ['secrets', 'ssn', 'secrets'] },
          { scope: { type: 'provider', value: 'anthropic' }, mode: 'redact_upstream', detectors: ['email'] },
          { scope: { type: 'route', value: '/v1/chat/completions' }, mode: 'off' },
        ],
        ACTOR,
      ),
    );
    expect(stored.map((p) => [p.scope, p.mode, p.detectors])).toEqual([
      [{ type: 'org' }, 'redact_storage', undefined],
      [{ type: 'provider', value: 'anthropic' }, 'redact_upstream', ['email']],
      [{ type: 'route', value: '/v1/chat/completions' }, 'off', undefined],
      [{ type: 'workspace', value: workspaceA }, 'block', ['secrets', 'ssn']],
    ]);
    expect(unwrap(await h.ops.policies.get(orgA))).toEqual(stored);
    expect(unwrap(await h.ops.policies.get(orgB))).toEqual([]);
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.policyChanged, payload: { orgId: orgA } }]);
    expect((await h.audit('policy.replace'))[0]).toMatchObject({ orgId: orgA, targetId: orgA, details: { count: 4 } });

    h.clearChanges();
    const replaced = unwrap(await h.ops.policies.put(orgA, [{ scope: { type: 'org', value: null }, mode: 'block' }], ACTOR));
    expect(replaced).toEqual([expect.objectContaining({ scope: { type: 'org' }, mode: 'block', createdAt: stored[0]?.createdAt })]);
    expect(unwrap(await h.ops.policies.get(orgA))).toHaveLength(1);
    expect(h.changes).toEqual([{ topic: CHANGE_TOPICS.policyChanged, payload: { orgId: orgA } }]);
  });

  it('rejects malformed policies with the path of the field, changing nothing', async () => {
    const before = unwrap(await h.ops.policies.get(orgA));
    const cases: [unknown, string][] = [
      [[{ scope: { type: 'team' }, mode: 'off' }], 'policies[0].scope.type'],
      [[{ scope: { type: 'org' }, mode: 'shred' }], 'policies[0].mode'],
      [[{ scope: { type: 'org' } }], 'policies[0].mode'],
      [[{ scope: { type: 'org', value: 'x' }, mode: 'off' }], 'policies[0].scope.value'],
      [[{ scope: { type: 'key' }, mode: 'off' }], 'policies[0].scope.value'],
      [[{ scope: { type: 'org' }, mode: 'off', detectors: ['dna'] }], 'policies[0].detectors[0]'],
      [[{ scope: { type: 'org' }, mode: 'off', extra: 1 }], 'policies[0].extra'],
      [
        [
          { scope: { type: 'org' }, mode: 'off' },
          { scope: { type: 'org' }, mode: 'block' },
        ],
        'policies[1].scope',
      ],
      [[{ scope: { type: 'provider', value: 'acme-llm' }, mode: 'off' }], 'policies[0].scope.value'],
      [[{ scope: { type: 'route', value: 'v1/chat' }, mode: 'off' }], 'policies[0].scope.value'],
      [[{ scope: { type: 'workspace', value: workspaceB }, mode: 'off' }], 'policies[0].scope.value'],
      ['not a list', 'policies'],
    ];
    for (const [input, param] of cases) {
      const error = failure(await h.ops.policies.put(orgA, input as PolicyInput[], ACTOR));
      expect([error.code, error.details]).toEqual(['invalid_request', { param }]);
      expect(error.message).toContain(param);
    }
    expect(unwrap(await h.ops.policies.get(orgA))).toEqual(before);
    expect(h.changes).toEqual([]);
  });

  it('answers not_found for an unknown org', async () => {
    const missing = 'org_01jzzzzzzzzzzzzzzzzzzzzzzz';
    expect(failure(await h.ops.policies.get(missing)).code).toBe('not_found');
    expect(failure(await h.ops.policies.put(missing, [], ACTOR)).code).toBe('not_found');
    expect(h.changes).toEqual([]);
  });
});
