import { AppError } from '@navplane/core';
import {
  limitsFor,
  type ApplicableLimit,
  type BudgetEngine,
  type CountedLimit,
  type LimitCounters,
  type LimitDecision,
  type LimitDocument,
  type LimitSource,
} from '@navplane/limits';
import type { Authenticated, Limited } from '../gateway-context';
import type { Step, StepResult } from '../pipeline/pipeline';

/** Options of enforceLimits. */
export interface LimitsStepOptions {
  /** The orgs' limits documents (in memory, change-feed evicted). */
  readonly limits: LimitSource;
  /** Where requests are counted (in this process, or Redis). */
  readonly counters: LimitCounters;
  /** NAVPLANE_LIMITS_FAIL_MODE: what to do when an org's limits cannot be read (the database is down and they are not held). */
  readonly failMode: 'open' | 'closed';
  /** Told of each request refused by a limit (metric), or of each `limits_unavailable`. */
  readonly onRefused?: (limit: CountedLimit | 'unavailable') => void;
  /**
   * The budgets of the HTTP path (absent on WebSockets): with shared counters, a request a budget also covers is admitted
   * by the budgets step, at the same time as its reservation (`deferredLimits`, `admitDeferredLimits`).
   */
  readonly deferToBudgets?: Pick<BudgetEngine, 'applicable'>;
}

const counts = (limits: readonly ApplicableLimit[]) =>
  limits.some(({ entry }) => entry.rpm !== undefined || entry.tpm !== undefined || entry.concurrency !== undefined);

const NOTHING: Limited = Object.freeze({});

const WHAT: Record<CountedLimit, string> = {
  rpm: 'requests per minute',
  tpm: 'tokens per minute',
  concurrency: 'concurrent requests',
};

/**
 * The 429 of a full limit: which limit of which scope (`org`, `workspace:ws_…`, `key:key_…`), when to retry, and the
 * refusing window's `x-ratelimit-*` headers (written with the answer, as OpenAI's 429s carry them).
 */
export function rateLimitedError(
  limit: CountedLimit,
  scopeKey: string,
  retryAfterMs: number,
  rateLimitHeaders: Readonly<Record<string, string>> = {},
): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const scope = scopeKey === 'org' ? "the org's" : `the ${scopeKey.replace(':', ' ')}`;
  return new AppError('rate_limited', `Rate limit reached: ${scope} ${limit} limit (${WHAT[limit]}); retry after ${retryAfterSeconds} s`, {
    retryable: true,
    details: { retryAfterSeconds, rateLimitHeaders },
  });
}

/** The 503 of fail-closed enforcement while Redis cannot be reached. */
export function limitsUnavailableError(): AppError {
  return new AppError('limits_unavailable', 'NavPlane cannot check the rate limits of this request right now; retry shortly', {
    retryable: true,
    details: { retryAfterSeconds: 1 },
  });
}

/**
 * The limits step (docs/limits.md, "Counting"): the org's rpm, tpm and concurrency limits that cover the key (the org's,
 * the key's workspace's, the key's) are checked and counted at once; a full one refuses with 429 `rate_limited` and
 * `Retry-After` before anything goes upstream. An admitted request carries its lease (released once, by the request's
 * completion, with its tokens) and OpenAI's `x-ratelimit-*` headers for its answer. A warm request reads its document from
 * memory and, with the in-process counters, makes no promise at all.
 */
export function enforceLimits(options: LimitsStepOptions): Step<Authenticated, Limited> {
  const { limits, counters, failMode, onRefused, deferToBudgets } = options;
  const conclude = concludeWith(onRefused);
  // Only shared counters are worth deferring: the in-process ones answer synchronously, with no round trip to share.
  const defer = counters.kind === 'memory' ? undefined : deferToBudgets;

  const admit = (document: LimitDocument, context: Authenticated): StepResult<Limited> | Promise<StepResult<Limited>> => {
    if (document.limits.length === 0) return NOTHING;
    const { key } = context;
    const subject = { orgId: key.orgId, workspaceId: key.workspaceId, keyId: key.id };
    const applicable = limitsFor(document, subject);
    if (defer !== undefined && counts(applicable)) {
      const budgets = defer.applicable(subject);
      if (!('then' in budgets) && budgets.length > 0) return { deferredLimits: applicable };
    }
    const decision = counters.admit(key.orgId, applicable, context.traceId);
    return decision instanceof Promise ? decision.then(conclude) : conclude(decision);
  };

  return {
    name: 'limits',
    run(context) {
      const held = limits.peek(context.key.orgId);
      if (held !== undefined) return admit(held, context);
      return limits.get(context.key.orgId).then(
        (document) => admit(document, context),
        (): StepResult<Limited> => {
          // The org's limits cannot be read (database down, not held): the fail mode decides, as for Redis.
          if (failMode === 'open') return NOTHING;
          onRefused?.('unavailable');
          return limitsUnavailableError();
        },
      );
    },
  };
}

/**
 * The admission of a request whose limits the limits step deferred (`deferredLimits`): what that step would have
 * decided, made when the budgets step calls it (beside the budget reservation, so the two go to Redis together).
 */
export function admitDeferredLimits(
  options: Pick<LimitsStepOptions, 'counters' | 'onRefused'>,
): (context: Authenticated & Limited) => StepResult<Limited> | Promise<StepResult<Limited>> {
  const conclude = concludeWith(options.onRefused);
  return (context) => {
    const deferred = context.deferredLimits;
    if (deferred === undefined) return NOTHING;
    const decision = options.counters.admit(context.key.orgId, deferred, context.traceId);
    return decision instanceof Promise ? decision.then(conclude) : conclude(decision);
  };
}

/** A counters' decision as the step's result: a lease and headers, a 429, a 503, or nothing to hold. */
function concludeWith(onRefused: LimitsStepOptions['onRefused']): (decision: LimitDecision) => StepResult<Limited> {
  return (decision) => {
    switch (decision.outcome) {
      case 'unlimited':
        return NOTHING;
      case 'admitted':
        // Only `concurrency` applies: no rpm/tpm figures of ours, so the provider's own headers go through untouched.
        for (const _name in decision.headers) return { limitLease: decision.lease, rateLimitHeaders: decision.headers };
        return { limitLease: decision.lease };
      case 'refused':
        onRefused?.(decision.limit);
        return rateLimitedError(decision.limit, decision.scopeKey, decision.retryAfterMs, decision.headers);
      case 'unavailable':
        onRefused?.('unavailable');
        return limitsUnavailableError();
    }
  };
}
