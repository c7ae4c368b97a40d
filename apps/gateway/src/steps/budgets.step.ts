import type { IncomingMessage } from 'node:http';
import { AppError } from '@navplane/core';
import {
  estimateReservation,
  FREE_ESTIMATE,
  NOTHING_SPENT,
  type ApplicableBudget,
  type BudgetEngine,
  type BudgetReservation,
  type LimitSubject,
  type ReservationEstimate,
} from '@navplane/limits';
import { readRequestedModel } from '@navplane/providers';
import type { Limited, WithPolicy } from '../gateway-context';
import { Refusal, type Step, type StepResult } from '../pipeline/pipeline';
import { bufferedBody } from './buffered-body';
import type { ModelRoute } from './model-route.step';
import { readBody } from './request-body.step';

/** Options of checkBudgets. */
export interface BudgetsStepOptions {
  /** The budget engine (docs/limits.md, "Budgets"); absent: no budgets are enforced. */
  budgets: Pick<BudgetEngine, 'applicable' | 'reserve' | 'settle'> | undefined;
  /** NAVPLANE_MAX_BODY_BYTES: a body read for its estimate is bounded like any other (413 above). */
  maxBodyBytes: number;
  /**
   * The admission of limits the limits step deferred to here (`deferredLimits`, `admitDeferredLimits`): made at the
   * same time as the reservation, so a request under both pays one Redis round trip.
   */
  admitDeferred?: (context: BudgetInput) => StepResult<Limited> | Promise<StepResult<Limited>>;
}

/**
 * What checkBudgets adds: the request's reservation (settled once, when it is recorded) and the body it read, and the
 * lease and headers of deferred limits.
 */
export interface BudgetChecked extends Limited {
  readonly budget?: BudgetReservation;
  readonly heldBody?: Buffer;
}

/** What the step reads: the key, route and policy, and what the allowlist and model-route steps learned. */
type BudgetInput = WithPolicy & Limited & { readonly model?: string; readonly heldBody?: Buffer; readonly modelRoute?: ModelRoute };

const NOTHING: BudgetChecked = Object.freeze({});
/**
 * The org's limits document cannot be read (the database is down and it is not in memory): a budget is never silently
 * skipped, so the request (or WebSocket upgrade) is refused as retryable.
 */
export function budgetsUnreadableError(cause: unknown): AppError {
  return new AppError('storage_unavailable', 'The budgets of this key cannot be read right now; retry', {
    retryable: true,
    cause,
    details: { retryAfterSeconds: 1 },
  });
}

/** The most any target of the request can cost: priced when one of them is (their largest estimate). */
function estimateOf(context: BudgetInput, req: IncomingMessage, body: Buffer | undefined): ReservationEstimate {
  const at = new Date(context.startedAtMs);
  let model = context.model;
  if (model === undefined && body !== undefined && body.length > 0) {
    const requested = readRequestedModel(body, {
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
    });
    if (requested.kind === 'named') model = requested.model;
  }
  if (model === undefined) {
    const selection = context.route.adapter.modelSelection(context.method, context.route.pathSuffix, context.rawQuery);
    if (selection.in === 'url') model = selection.model;
  }
  const targets =
    context.modelRoute === undefined
      ? [{ provider: context.route.adapter.id, model }]
      : context.modelRoute.targets.map((planned) => ({ provider: planned.route.adapter.id, model: planned.target.model }));
  let best: ReservationEstimate = { priced: false };
  for (const target of targets) {
    const estimate = estimateReservation({ provider: target.provider, model: target.model, body, at });
    if (estimate.priced && (!best.priced || estimate.usd > best.usd)) best = estimate;
  }
  return best;
}

/**
 * Budgets (docs/limits.md, "Budgets"), before anything goes upstream: when a budget of the org, the key's workspace
 * or the key covers the request, its cost is estimated (the body is read for it — bounded — and handed on to the body
 * step) and reserved in every such budget, or the request is refused with 429 `budget_exceeded`. A request covered
 * by no budget pays one lookup in memory and nothing is read. A route that bills nothing (model listings, files)
 * reserves $0 but is still refused once a budget is spent.
 */
export function checkBudgets({ budgets, maxBodyBytes, admitDeferred }: BudgetsStepOptions): Step<BudgetInput, BudgetChecked> {
  /**
   * Reserves `estimate` and, when the limits step deferred its admission here, admits the request at the same time (the
   * two Redis calls go out together). A limit's refusal wins and releases the reservation; a budget's refusal releases
   * the lease (the request stays counted in rpm, as when the limits step admits it).
   */
  async function reserveAndAdmit(
    engine: Pick<BudgetEngine, 'reserve' | 'settle'>,
    subject: LimitSubject,
    applicable: readonly ApplicableBudget[],
    estimate: ReservationEstimate,
    context: BudgetInput,
    body: Buffer | undefined,
  ): Promise<StepResult<BudgetChecked>> {
    const admission = context.deferredLimits === undefined || admitDeferred === undefined ? undefined : admitDeferred(context);
    const [reserved, admitted] = await Promise.all([engine.reserve(subject, applicable, estimate), admission]);
    if (admitted instanceof AppError || admitted instanceof Refusal) {
      if (!(reserved instanceof AppError)) void engine.settle(reserved, NOTHING_SPENT);
      return admitted instanceof Refusal ? admitted.error : admitted;
    }
    if (reserved instanceof AppError) {
      admitted?.limitLease?.release(0);
      return reserved;
    }
    const checked = held(reserved, body);
    return admitted === undefined ? checked : { ...checked, ...admitted };
  }

  async function reserveWithBody(
    engine: Pick<BudgetEngine, 'reserve' | 'settle'>,
    subject: LimitSubject,
    applicable: readonly ApplicableBudget[],
    context: BudgetInput,
    req: IncomingMessage,
  ): Promise<StepResult<BudgetChecked>> {
    const { route, method } = context;
    if (!route.adapter.reportsUsage(method, route.pathSuffix))
      return reserveAndAdmit(engine, subject, applicable, FREE_ESTIMATE, context, undefined);
    let body = context.heldBody;
    if (body === undefined) {
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxBodyBytes) {
        return new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`);
      }
      const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
      if (hasBody) {
        try {
          body = bufferedBody(req, maxBodyBytes) ?? (await readBody(req, maxBodyBytes));
        } catch (error) {
          if (error instanceof AppError) return error;
          throw error;
        }
      }
    }
    return reserveAndAdmit(engine, subject, applicable, estimateOf(context, req, body), context, body);
  }

  const held = (result: BudgetReservation, body: Buffer | undefined): BudgetChecked =>
    body === undefined || body.length === 0 ? { budget: result } : { budget: result, heldBody: body };

  return {
    name: 'checkBudgets',
    run(context, { req }) {
      // No budget after all (the document changed since the limits step looked): deferred limits are admitted alone.
      const unbudgeted = (): StepResult<BudgetChecked> | Promise<StepResult<BudgetChecked>> =>
        context.deferredLimits === undefined || admitDeferred === undefined ? NOTHING : admitDeferred(context);
      if (budgets === undefined) return unbudgeted();
      const { key } = context;
      const subject: LimitSubject = { orgId: key.orgId, workspaceId: key.workspaceId, keyId: key.id };
      const applicable = budgets.applicable(subject);
      if (!('then' in applicable))
        return applicable.length === 0 ? unbudgeted() : reserveWithBody(budgets, subject, applicable, context, req);
      return applicable.then(
        (found) => (found.length === 0 ? unbudgeted() : reserveWithBody(budgets, subject, found, context, req)),
        budgetsUnreadableError,
      );
    },
  };
}
