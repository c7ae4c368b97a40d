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
