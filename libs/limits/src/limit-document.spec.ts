import { describeLimitProblems, limitsFor, parseLimitDocument, readStoredLimitDocument } from './limit-document';

const ORG = 'org_01jexample0000000000000000';
const KEY = 'key_01jexample0000000000000000';
const OTHER_KEY = 'key_01jother00000000000000000';
const WS = 'ws_01jexample0000000000000000';

const ownership = {
  orgId: ORG,
  hasKey: (id: string) => id === KEY,
  hasWorkspace: (id: string) => id === WS,
};

describe('parseLimitDocument', () => {
  it('accepts the contract example, drops an org scope id and sorts thresholds', () => {
    const result = parseLimitDocument(
      {
        limits: [
          { scope: { type: 'org', id: ORG }, rpm: 1000 },
          { scope: { type: 'workspace', id: WS }, concurrency: 5 },
          {
            scope: { type: 'key', id: KEY },
            rpm: 600,
            tpm: 200000,
            concurrency: 20,
            budget: { usd: 50, period: 'month' },
            alerts: { thresholds: [1.0, 0.5, 0.8], webhookUrl: 'https://hooks.example.com/navplane' },
          },
        ],
      },
      ownership,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        limits: [
          { scope: { type: 'org' }, rpm: 1000 },
          { scope: { type: 'workspace', id: WS }, concurrency: 5 },
          {
            scope: { type: 'key', id: KEY },
            rpm: 600,
            tpm: 200000,
            concurrency: 20,
            budget: { usd: 50, period: 'month' },
            alerts: { thresholds: [0.5, 0.8, 1.0], webhookUrl: 'https://hooks.example.com/navplane' },
          },
        ],
      },
    });
  });

  it('reports every problem with its path', () => {
    const result = parseLimitDocument(
      {
        limits: [
          { scope: { type: 'key', id: OTHER_KEY }, rpm: 10 },
          { scope: { type: 'key', id: OTHER_KEY }, rpm: 20 },
          { scope: { type: 'org', id: 'org_01jsomeoneelse00000000000' }, rpm: 1 },
          { scope: { type: 'workspace', id: WS } },
          { scope: { type: 'org' }, rpm: 5, alerts: { thresholds: [0.5], webhookUrl: 'https://x.example' } },
        ],
      },
      ownership,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(describeLimitProblems(result.problems)).toBe(
      [
        `limits[0].scope.id: no NavPlane key "${OTHER_KEY}" in this org`,
        'limits[1].scope: limits[0] has the same scope',
        `limits[1].scope.id: no NavPlane key "${OTHER_KEY}" in this org`,
        `limits[2].scope.id: is not this org's id (${ORG})`,
        'limits[3]: limits nothing: set rpm, tpm, concurrency or budget',
        'limits[4].scope: limits[2] has the same scope',
        'limits[4].alerts: alerts are thresholds of a budget: set budget too',
      ].join('; '),
    );
  });

  it.each([
    [{ limits: [{ scope: { type: 'team', id: KEY }, rpm: 1 }] }, 'limits[0].scope.type'],
    [{ limits: [{ scope: { type: 'key', id: KEY }, rpm: 0 }] }, 'limits[0].rpm'],
    [{ limits: [{ scope: { type: 'key', id: KEY }, rpm: 1.5 }] }, 'limits[0].rpm'],
    [{ limits: [{ scope: { type: 'key', id: KEY }, budget: { usd: 5, period: 'week' } }] }, 'limits[0].budget.period'],
    [{ limits: [{ scope: { type: 'key', id: WS }, rpm: 1 }] }, 'limits[0].scope.id'],
    [{ limits: [{ scope: { type: 'key', id: KEY }, rpm: 1, burst: 2 }] }, '(document)'],
    [
      {
        limits: [
          {
            scope: { type: 'key', id: KEY },
            budget: { usd: 5, period: 'day' },
            alerts: { thresholds: [0.5, 0.5], webhookUrl: 'https://a.example' },
          },
        ],
      },
      'limits[0].alerts.thresholds',
    ],
    [
      {
        limits: [
          {
            scope: { type: 'key', id: KEY },
            budget: { usd: 5, period: 'day' },
            alerts: { thresholds: [0.5], webhookUrl: 'ftp://a.example' },
          },
        ],
      },
      'limits[0].alerts.webhookUrl',
    ],
    [{ limit: [] }, '(document)'],
  ])('refuses %j at %s', (raw, path) => {
    const result = parseLimitDocument(raw, ownership);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.path)).toContain(path === '(document)' ? result.problems[0]?.path : path);
  });

  it('reads a stored document back and refuses a hand-edited one', () => {
    expect(readStoredLimitDocument({ limits: [{ scope: { type: 'org' }, tpm: 5 }] })).toEqual({
      limits: [{ scope: { type: 'org' }, tpm: 5 }],
    });
    expect(() => readStoredLimitDocument({ limits: [{ scope: { type: 'org' }, tpm: -1 }] })).toThrow(/limits\[0\]\.tpm/);
  });
});

describe('limitsFor', () => {
  const parsed = parseLimitDocument(
    {
      limits: [
        { scope: { type: 'key', id: KEY }, rpm: 3 },
        { scope: { type: 'org' }, rpm: 100 },
        { scope: { type: 'workspace', id: WS }, rpm: 10 },
      ],
    },
    ownership,
  );
  if (!parsed.ok) throw new Error('fixture document invalid');
  const document = parsed.value;

  it('returns every entry covering the request, broadest first', () => {
    expect(limitsFor(document, { orgId: ORG, workspaceId: WS, keyId: KEY }).map((item) => item.scopeKey)).toEqual([
      'org',
      `workspace:${WS}`,
      `key:${KEY}`,
    ]);
    expect(limitsFor(document, { orgId: ORG, workspaceId: null, keyId: OTHER_KEY }).map((item) => item.scopeKey)).toEqual(['org']);
    expect(limitsFor({ limits: [] }, { orgId: ORG, workspaceId: null, keyId: KEY })).toEqual([]);
  });
});
