import { AppError } from '@navplane/core';
import { FREE_ESTIMATE, type BudgetEngine, type BudgetReservation, type LimitSubject } from '@navplane/limits';
import type { WebSocketSupport } from '@navplane/providers';
import type { Authenticated, WithPolicy } from '../gateway-context';
import { Refusal, type Step } from '../pipeline/pipeline';
import { policyFailure } from '../policy/enforce-policy';
import type { PolicyResolution } from '../policy/policy.step';
import { budgetsUnreadableError } from '../steps/budgets.step';

/** What checkWebSocketPath adds: the provider's WebSocket support. */
export interface WebSocketRoute {
  webSocket: WebSocketSupport;
}

/**
 * Refuses upgrades to paths the provider takes no WebSocket on (404 `route_not_found`, no upstream connection): the
 * WebSocket counterpart of checkAllowedPath.
 */
export function checkWebSocketPath(): Step<Authenticated, WebSocketRoute> {
  return {
    name: 'checkWebSocketPath',
    run({ route, path }) {
      const webSocket = route.adapter.webSocket;
      return webSocket !== undefined && webSocket.isWebSocketPath(route.pathSuffix)
        ? { webSocket }
        : new AppError('route_not_found', `No WebSocket route for ${path}`);
    },
  };
}

/**
 * A key's model allowlist on a WebSocket (docs/gateway.md, "Model allowlists"): the session's model is the one its URL
 * names (Realtime: `?model=`), checked exactly like an HTTP request's before any upstream connection. A WebSocket whose
 * URL names no model (Responses over WebSocket: each `response.create` message picks one) cannot be checked at the
 * upgrade, and frames are not inspected, so a key with an allowlist is refused there (fail closed, 403
 * `model_not_allowed`). A key without an allowlist pays one property test.
 */
export function checkWebSocketModel(): Step<Authenticated & WebSocketRoute, object> {
  const nothing = {};
  return {
    name: 'checkWebSocketModel',
    run({ key, webSocket, rawQuery }) {
      const allowed = key.models;
      if (allowed === undefined) return nothing;
      const model = webSocket.modelFromQuery(rawQuery);
      if (model === undefined) {
        return new AppError(
          'model_not_allowed',
          'This key may use only named models, and this WebSocket picks its model per message, which the gateway cannot check',
        );
      }
      if (allowed.has(model)) return nothing;
      return new Refusal(new AppError('model_not_allowed', `This key may not use the model "${model.slice(0, 256)}"`), { model });
    },
  };
}

/**
 * Frames pass through unchanged (docs/gateway.md, "WebSockets"): a `block` or `redact_upstream` policy cannot be
 * applied to them, so such a session fails closed (503 `policy_unavailable`) before any upstream connection, as an
 * HTTP request whose body cannot be checked does. `redact_storage` and `off` let it through (frames are not stored).
 */
export function refuseUninspectablePolicy(): Step<WithPolicy, object> {
  const nothing = {};
  return {
    name: 'refuseUninspectablePolicy',
    run({ policy }) {
      const { mode } = policy.effective;
      if (mode !== 'block' && mode !== 'redact_upstream') return nothing;
      return new Refusal<PolicyResolution>(policyFailure(policy, 'websocket_frames'), { policy });
    },
  };
}

/** What checkWebSocketBudgets adds: the session's hold on its budgets (settled once, when the session ends). */
export interface WebSocketBudget {
  readonly budget?: BudgetReservation;
}

const NO_BUDGET: WebSocketBudget = Object.freeze({});

/**
 * Budgets on a WebSocket (docs/limits.md, "Budgets"): a session's cost is only known response by response (frames are
 * not inspected, so nothing can be estimated at the upgrade), so the handshake holds $0 against every budget covering
 * the key — and is refused with 429 `budget_exceeded` before any upstream connection when one is already spent. Each
 * response's cost is then settled as it ends, and a session whose budget that response used up is closed (see
 * createWebSocketProxy). A key covered by no budget pays one lookup in memory.
 */
export function checkWebSocketBudgets(
  budgets: Pick<BudgetEngine, 'applicable' | 'reserve'> | undefined,
): Step<Authenticated, WebSocketBudget> {
  const reserve = async (
    engine: Pick<BudgetEngine, 'reserve'>,
    subject: LimitSubject,
    found: Parameters<BudgetEngine['reserve']>[1],
  ): Promise<WebSocketBudget | AppError> => {
    const held = await engine.reserve(subject, found, FREE_ESTIMATE);
    return held instanceof AppError ? held : { budget: held };
  };
  return {
    name: 'checkWebSocketBudgets',
    run({ key }) {
      if (budgets === undefined) return NO_BUDGET;
      const subject: LimitSubject = { orgId: key.orgId, workspaceId: key.workspaceId, keyId: key.id };
      const applicable = budgets.applicable(subject);
      if (!('then' in applicable)) return applicable.length === 0 ? NO_BUDGET : reserve(budgets, subject, applicable);
      return applicable.then((found) => (found.length === 0 ? NO_BUDGET : reserve(budgets, subject, found)), budgetsUnreadableError);
    },
  };
}
