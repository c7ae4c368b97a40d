import { AppError } from '@navplane/core';
import type { WebSocketSupport } from '@navplane/providers';
import type { Authenticated, WithPolicy } from '../gateway-context';
import { Refusal, type Step } from '../pipeline/pipeline';
import { policyFailure } from '../policy/enforce-policy';
import type { PolicyResolution } from '../policy/policy.step';

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
