import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import {
  ACTOR,
  expectAuditedAndAnnounced,
  expectRefusedChangingNothing,
  failure,
  startOperationsHarness,
  unwrap,
  type OperationsHarness,
  type RefusedCase,
} from './operations-test.fixture';

const HOOK_TOKEN = 'T000/B000/hook-secret-in-the-path-0123';

describe.each(TEST_DIALECTS)('limit operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  let workspaceA: string;
  let workspaceB: string;
  let keyA: string;
  let revokedKeyA: string;
  let keyB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect);
    orgA = await h.org('A');
    orgB = await h.org('B');
    workspaceA = unwrap(await h.ops.workspaces.create(orgA, { name: 'team' }, ACTOR)).id;
    workspaceB = unwrap(await h.ops.workspaces.create(orgB, { name: 'team' }, ACTOR)).id;
    keyA = unwrap(await h.ops.keys.issue(orgA, { name: 'ci' }, ACTOR)).record.id;
    revokedKeyA = unwrap(await h.ops.keys.issue(orgA, { name: 'old' }, ACTOR)).record.id;
    unwrap(await h.ops.keys.revoke(orgA, revokedKeyA, ACTOR));
    keyB = unwrap(await h.ops.keys.issue(orgB, { name: 'ci' }, ACTOR)).record.id;
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('starts empty, stores a whole normalized document, audits it (webhook by origin only) and announces limits.changed', async () => {
    expect(unwrap(await h.ops.limits.get(orgA))).toEqual({ limits: [] });
    const document = {
      limits: [
        { scope: { type: 'org', id: orgA }, rpm: 600, budget: { usd: 50, period: 'month' } },
        { scope: { type: 'workspace', id: workspaceA }, tpm: 200_000, concurrency: 20 },
        {
          scope: { type: 'key', id: keyA },
          budget: { usd: 5.5, period: 'day' },
          alerts: { thresholds: [1, 0.5, 0.8], webhookUrl: `https://hooks.example.com/services/${HOOK_TOKEN}?x=1` },
        },
        { scope: { type: 'key', id: revokedKeyA }, rpm: 1 },
      ],
    };
    const expected = {
      limits: [
        { scope: { type: 'org' }, rpm: 600, budget: { usd: 50, period: 'month' } },
        { scope: { type: 'workspace', id: workspaceA }, tpm: 200_000, concurrency: 20 },
        {
          scope: { type: 'key', id: keyA },
          budget: { usd: 5.5, period: 'day' },
          alerts: { thresholds: [0.5, 0.8, 1], webhookUrl: `https://hooks.example.com/services/${HOOK_TOKEN}?x=1` },
        },
        { scope: { type: 'key', id: revokedKeyA }, rpm: 1 },
      ],
    };
    expect(unwrap(await h.ops.limits.put(orgA, document, ACTOR))).toEqual(expected);
    expect(unwrap(await h.ops.limits.get(orgA))).toEqual(expected);
    expect(unwrap(await h.ops.limits.get(orgB))).toEqual({ limits: [] });
    await expectAuditedAndAnnounced(h, {
      orgId: orgA,
      action: 'limits.put',
      changed: CHANGE_TOPICS.limitsChanged,
      details: {
        count: 4,
        limits: [
          { scope: { type: 'org' }, rpm: 600, budget: { usd: 50, period: 'month' } },
          { scope: { type: 'workspace', id: workspaceA }, tpm: 200_000, concurrency: 20 },
          {
            scope: { type: 'key', id: keyA },
            budget: { usd: 5.5, period: 'day' },
            alerts: { thresholds: [0.5, 0.8, 1], webhook: 'https://hooks.example.com' },
          },
          { scope: { type: 'key', id: revokedKeyA }, rpm: 1 },
        ],
      },
    });
    expect(JSON.stringify(await h.repos.auditLog.list({ limit: 1000 }))).not.toContain(HOOK_TOKEN);

    // Replaced whole: an empty document clears it.
    expect(unwrap(await h.ops.limits.put(orgA, { limits: [] }, ACTOR))).toEqual({ limits: [] });
    expect(unwrap(await h.ops.limits.get(orgA))).toEqual({ limits: [] });
  });

  it('refuses a document with every problem named by path, changing nothing', async () => {
    unwrap(await h.ops.limits.put(orgA, { limits: [{ scope: { type: 'org' }, rpm: 10 }] }, ACTOR));
    const cases: RefusedCase[] = [
      [{}, 'limits', [/^Invalid limits document: limits: /]],
      [[], '(document)', [/\(document\): /]],
      [{ limits: [], extra: 1 }, '(document)', [/Unrecognized key/]],
      [{ limits: [{ scope: { type: 'team' }, rpm: 1 }] }, 'limits[0].scope.type', [/limits\[0\]\.scope\.type: /]],
      [
        { limits: [{ scope: { type: 'org' }, rpm: 0, tpm: 1.5, concurrency: 100_001 }] },
        'limits[0].rpm',
        [/\(3 problems\)/, /limits\[0\]\.rpm: /, /limits\[0\]\.tpm: /, /limits\[0\]\.concurrency: /],
      ],
      [
        { limits: [{ scope: { type: 'org' }, budget: { usd: 10, period: 'week' }, alerts: { thresholds: [], webhookUrl: 'ftp://x' } }] },
        'limits[0].budget.period',
        [
          /limits\[0\]\.budget\.period: /,
          /limits\[0\]\.alerts\.thresholds: /,
          /limits\[0\]\.alerts\.webhookUrl: must be an absolute http\(s\) URL/,
        ],
      ],
      [
        {
          limits: [
            { scope: { type: 'org' }, rpm: 1 },
            { scope: { type: 'org' }, rpm: 2 },
            { scope: { type: 'key', id: keyA } },
            { scope: { type: 'workspace', id: workspaceA }, rpm: 1, alerts: { thresholds: [0.5], webhookUrl: 'https://h.example' } },
          ],
        },
        'limits[1].scope',
        [
          /\(3 problems\)/,
          /limits\[1\]\.scope: limits\[0\] has the same scope/,
          /limits\[2\]: limits nothing/,
          /limits\[3\]\.alerts: alerts are thresholds of a budget/,
        ],
      ],
      [
        {
          limits: [
            { scope: { type: 'org', id: orgB }, rpm: 1 },
            { scope: { type: 'workspace', id: workspaceB }, rpm: 1 },
            { scope: { type: 'key', id: keyB }, rpm: 1 },
          ],
        },
        'limits[0].scope.id',
        [
          /\(3 problems\)/,
          new RegExp(`limits\\[0\\]\\.scope\\.id: is not this org's id \\(${orgA}\\)`),
          new RegExp(`limits\\[1\\]\\.scope\\.id: no workspace "${workspaceB}" in this org`),
          new RegExp(`limits\\[2\\]\\.scope\\.id: no NavPlane key "${keyB}" in this org`),
        ],
      ],
    ];
    await expectRefusedChangingNothing(
      h,
      { action: 'limits.put', stored: () => h.repos.limits.findByOrg(orgA), put: (document) => h.ops.limits.put(orgA, document, ACTOR) },
      cases,
    );
  });

  it('answers an unknown org with not_found', async () => {
    expect(failure(await h.ops.limits.get('org_missing')).code).toBe('not_found');
    expect(failure(await h.ops.limits.put('org_missing', { limits: [] }, ACTOR)).code).toBe('not_found');
  });
});
