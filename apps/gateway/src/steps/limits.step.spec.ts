import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { AppError, ManualClock } from '@navplane/core';
import {
  createLimitCounters,
  createMemoryCounterStore,
  EMPTY_LIMIT_DOCUMENT,
  type LimitDocument,
  type LimitSource,
} from '@navplane/limits';
import { openaiAdapter } from '@navplane/providers';
import type { Authenticated, Limited } from '../gateway-context';
import type { StepResult } from '../pipeline/pipeline';
import { admitDeferredLimits, enforceLimits } from './limits.step';

const KEY_ID = 'key_0123456789abcdef';
const context: Authenticated = {
  traceId: 'trc_1',
  requestId: 'req_1',
  method: 'POST',
  path: '/openai/v1/chat/completions',
  rawQuery: '',
  startedAt: 0,
  startedAtMs: 0,
  lineage: { traceGroup: null, threadId: null, runId: null, parentTraceId: null },
  route: { adapter: openaiAdapter, pathSuffix: '/v1/chat/completions', baseUrl: 'http://127.0.0.1:1' },
  key: { id: KEY_ID, orgId: 'org_1', workspaceId: null, scopes: ['proxy'], name: 'k' },
  credentialMode: 'vault',
};
const exchange = { req: new IncomingMessage(new Socket()) };
const KEY_RPM_1: LimitDocument = { limits: [{ scope: { type: 'key', id: KEY_ID }, rpm: 1 }] };

/** A source that holds `held` (peek), or, when undefined, whose reads fail (the database is down). */
function source(held: LimitDocument | undefined): LimitSource {
  return {
    peek: () => held,
    get: () => (held === undefined ? Promise.reject(new Error('database down')) : Promise.resolve(held)),
  };
}

async function run(step: ReturnType<typeof enforceLimits>): Promise<StepResult<Limited>> {
  return step.run({ ...context }, exchange);
}

describe('enforceLimits', () => {
  const counters = () => createLimitCounters({ store: createMemoryCounterStore({ clock: new ManualClock() }) });

  it('adds nothing, synchronously, for an org without limits', () => {
    const step = enforceLimits({ limits: source(EMPTY_LIMIT_DOCUMENT), counters: counters(), failMode: 'closed' });
    expect(step.run({ ...context }, exchange)).toEqual({});
  });

  it('admits with a lease and the headers, then refuses with 429 rate_limited and its Retry-After, telling the metric', async () => {
    const refused: string[] = [];
    const step = enforceLimits({
      limits: source(KEY_RPM_1),
      counters: counters(),
      failMode: 'open',
      onRefused: (limit) => refused.push(limit),
    });
    const first = await run(step);
    expect(first).toMatchObject({ rateLimitHeaders: { 'x-ratelimit-limit-requests': '1', 'x-ratelimit-remaining-requests': '0' } });
    const second = await run(step);
    if (!(second instanceof AppError)) throw new Error('expected a refusal');
    expect(second).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 60 } });
    expect(second.message).toContain(`key ${KEY_ID} rpm limit`);
    expect(refused).toEqual(['rpm']);
  });

  it('when the org’s limits cannot be read: lets the request through (open) or answers 503 limits_unavailable (closed)', async () => {
    const open = enforceLimits({ limits: source(undefined), counters: counters(), failMode: 'open' });
    expect(await run(open)).toEqual({});
    const refused: string[] = [];
    const closed = enforceLimits({
      limits: source(undefined),
      counters: counters(),
      failMode: 'closed',
      onRefused: (limit) => refused.push(limit),
    });
    expect(await run(closed)).toMatchObject({ code: 'limits_unavailable', details: { retryAfterSeconds: 1 } });
    expect(refused).toEqual(['unavailable']);
  });

  describe('with a budget too', () => {
    const budgeted = {
      applicable: () => [{ scopeKey: 'org', scope: { type: 'org' as const }, budget: { usd: 1, period: 'day' as const } }],
    };
    /** Shared counters (Redis), counting their admissions. */
    const shared = () => {
      const inner = counters();
      const calls: string[] = [];
      return {
        calls,
        counters: {
          kind: 'redis',
          admit: (...args: Parameters<typeof inner.admit>) => (calls.push(args[2]), inner.admit(...args)),
          close: () => inner.close(),
        },
      };
    };

    it('defers the admission of shared counters to the budgets step, and admitDeferredLimits makes it there', async () => {
      const { counters: redisLike, calls } = shared();
      const step = enforceLimits({ limits: source(KEY_RPM_1), counters: redisLike, failMode: 'closed', deferToBudgets: budgeted });
      const deferred = await run(step);
      expect(deferred).toEqual({ deferredLimits: [expect.objectContaining({ scopeKey: `key:${KEY_ID}` })] });
      expect(calls).toEqual([]);
      const admit = admitDeferredLimits({ counters: redisLike });
      const first = await admit({ ...context, ...(deferred as Limited) });
      expect(first).toMatchObject({ rateLimitHeaders: { 'x-ratelimit-remaining-requests': '0' } });
      expect(await admit({ ...context, ...(deferred as Limited) })).toMatchObject({ code: 'rate_limited' });
      expect(calls).toEqual(['trc_1', 'trc_1']);
    });

    it('admits at once with in-process counters, or when no budget covers the key', async () => {
      const inProcess = enforceLimits({ limits: source(KEY_RPM_1), counters: counters(), failMode: 'closed', deferToBudgets: budgeted });
      expect(await run(inProcess)).toHaveProperty('limitLease');
      const { counters: redisLike, calls } = shared();
      const unbudgeted = enforceLimits({
        limits: source(KEY_RPM_1),
        counters: redisLike,
        failMode: 'closed',
        deferToBudgets: { applicable: () => [] },
      });
      expect(await run(unbudgeted)).toHaveProperty('limitLease');
      expect(calls).toEqual(['trc_1']);
    });
  });
});
