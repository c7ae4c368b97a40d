import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { loadbalanceRoute, routeTable, singleTargetTable, smartFallbackRoute, TEST_DIALECTS } from '@navplane/testing';
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

const OPENAI_KEY = 'sk-test-openai-0123456789abcdefWXYZ';
const ANTHROPIC_KEY = 'sk-ant-test-0123456789abcdefQRST';
const VLLM_KEY = 'vllm-test-key-0123456789abcdefLMNO';

describe.each(TEST_DIALECTS)('route operations (%s)', (dialect) => {
  let h: OperationsHarness;
  let orgA: string;
  let orgB: string;
  beforeAll(async () => {
    h = await startOperationsHarness(dialect, { operatorProviderIds: ['vllm'] });
    orgA = await h.org('A');
    orgB = await h.org('B');
    unwrap(await h.ops.providerKeys.set(orgA, 'openai', OPENAI_KEY, ACTOR));
    unwrap(await h.ops.providerKeys.set(orgA, 'anthropic', ANTHROPIC_KEY, ACTOR));
    unwrap(await h.ops.providerKeys.set(orgA, 'vllm', VLLM_KEY, ACTOR));
  });
  afterAll(() => h.close());
  beforeEach(() => h.clearChanges());

  it('starts empty, stores a whole table with defaults filled in, audits the routes and announces routes.changed', async () => {
    expect(unwrap(await h.ops.routes.get(orgA))).toEqual({ routes: [] });
    // The shared sample table (libs/testing), its fallback route ending at the operator-defined vllm provider.
    const table = routeTable(
      smartFallbackRoute({
        second: { provider: 'vllm', model: 'llama-3.3-70b', key: 'default', weight: 2 },
        retry: { attempts: 3, on: ['connect', '5xx'] },
      }),
      loadbalanceRoute('claude', [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }]),
    );
    const { input: document, stored: expected } = table;
    expect(unwrap(await h.ops.routes.put(orgA, document, ACTOR))).toEqual(expected);
    expect(unwrap(await h.ops.routes.get(orgA))).toEqual(expected);
    expect(unwrap(await h.ops.routes.get(orgB))).toEqual({ routes: [] });
    await expectAuditedAndAnnounced(h, {
      orgId: orgA,
      action: 'routes.put',
      changed: CHANGE_TOPICS.routesChanged,
      details: {
        count: 2,
        // The audit names each route's targets, not its retry rule.
        routes: expected.routes.map(({ model, strategy, targets }) => ({ model, strategy, targets })),
      },
    });
    const everything = JSON.stringify(await h.repos.auditLog.list({ limit: 1000 }));
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, VLLM_KEY]) expect(everything).not.toContain(secret);

    // Replaced whole: an empty table clears it.
    expect(unwrap(await h.ops.routes.put(orgA, { routes: [] }, ACTOR))).toEqual({ routes: [] });
    expect(unwrap(await h.ops.routes.get(orgA))).toEqual({ routes: [] });
  });

  it('refuses a table with every problem named by path and route, changing nothing', async () => {
    unwrap(await h.ops.routes.put(orgA, singleTargetTable('kept').input, ACTOR));
    const cases: RefusedCase[] = [
      [{}, 'routes', [/routes: /]],
      [{ routes: [{ model: 'x', targets: [] }] }, 'routes[0].targets', [/routes\[0\]\.targets \(route "x"\): /]],
      [{ routes: [], extra: 1 }, '(document)', [/Unrecognized key/]],
      [
        {
          routes: [
            {
              model: 'smart',
              targets: [
                { provider: 'openai', model: 'gpt-4.1' },
                { provider: 'nope', model: 'm' },
              ],
            },
          ],
        },
        'routes[0].targets[1].provider',
        [/routes\[0\]\.targets\[1\]\.provider \(route "smart"\): unknown provider "nope"/],
      ],
      [
        {
          routes: [
            { model: 'ok', targets: [{ provider: 'openai', model: 'gpt-4.1' }] },
            {
              model: 'mixed',
              targets: [
                { provider: 'openai', model: 'gpt-4.1' },
                { provider: 'anthropic', model: 'claude-sonnet-4-5' },
              ],
            },
          ],
        },
        'routes[1].targets',
        [/routes\[1\]\.targets \(route "mixed"\): targets speak different API formats \(anthropic, openai\)/],
      ],
      [
        {
          routes: [
            { model: 'eu', targets: [{ provider: 'openai', model: 'gpt-4.1', key: 'eu' }] },
            { model: 'gem', targets: [{ provider: 'gemini', model: 'gemini-2.5-pro' }] },
          ],
        },
        'routes[0].targets[0].key',
        [
          /^Invalid routing table \(2 problems\): /,
          /routes\[0\]\.targets\[0\]\.key \(route "eu"\): this org has no openai key named "eu" \(it has: default\)/,
          /routes\[1\]\.targets\[0\]\.key \(route "gem"\): this org has no gemini key stored/,
        ],
      ],
      [
        {
          routes: [
            { model: 'a', targets: [{ provider: 'openai', model: 'm' }] },
            { model: 'a', targets: [{ provider: 'openai', model: 'n' }] },
          ],
        },
        'routes[1].model',
        [/routes\[1\]\.model \(route "a"\): "a" is also routes\[0\]'s name/],
      ],
    ];
    await expectRefusedChangingNothing(
      h,
      { action: 'routes.put', stored: () => h.repos.routes.findByOrg(orgA), put: (document) => h.ops.routes.put(orgA, document, ACTOR) },
      cases,
    );
  });

  it('checks key names against the org’s own keys: another org’s keys do not count', async () => {
    const error = failure(
      await h.ops.routes.put(orgB, { routes: [{ model: 'm', targets: [{ provider: 'openai', model: 'gpt-4.1' }] }] }, ACTOR),
    );
    expect([error.code, error.details?.['param']]).toEqual(['invalid_request', 'routes[0].targets[0].key']);
    expect(error.message).toContain('this org has no openai key stored');
  });

  it('answers an unknown org with not_found', async () => {
    expect(failure(await h.ops.routes.get('org_missing')).code).toBe('not_found');
    expect(failure(await h.ops.routes.put('org_missing', { routes: [] }, ACTOR)).code).toBe('not_found');
  });
});
