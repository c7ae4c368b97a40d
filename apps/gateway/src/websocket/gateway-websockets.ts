import type { MetricsRegistry } from '@navplane/telemetry';
import { authThrottleOf, limitsStepOf, type GatewayDeps } from '../app';
import type { Started } from '../gateway-context';
import { Pipeline } from '../pipeline/pipeline';
import { resolveRequestPolicy } from '../policy/policy.step';
import { authenticate, requireScope } from '../steps/authenticate.step';
import { resolveCredential } from '../steps/credential.step';
import { resolveRoute } from '../steps/resolve-route.step';
import { readTags } from '../steps/tags.step';
import { extractUpgradeCredentials } from './upgrade-credentials';
import { checkWebSocketBudgets, checkWebSocketModel, checkWebSocketPath, refuseUninspectablePolicy } from './websocket.steps';
import { createWebSocketProxy, type WebSocketLimits, type WebSocketProxy } from './websocket-proxy';

/**
 * The gateway's WebSocket proxy over the same collaborators and steps as its HTTP path (docs/gateway.md,
 * "WebSockets"): route → authenticate (key headers or the key subprotocol; org enabled) → WebSocket path → scope → tags
 * (the handshake's X-NavPlane-Tags) → model allowlist (the URL's model) → limits → credential (vault or passthrough) → policy (`block`/`redact_upstream` fail closed: frames are not inspected) → budgets.
 */
export function createGatewayWebSockets(deps: GatewayDeps, limits: WebSocketLimits): WebSocketProxy {
  const { policyLimits } = deps;
  const steps = Pipeline.begin<Started>()
    .then(resolveRoute({ registry: deps.registry }))
    .then(
      authenticate({
        verify: deps.verifyKey,
        looksLikeProviderKey: deps.registry.looksLikeProviderKey,
        extract: extractUpgradeCredentials,
        // The handshake is an authentication attempt like any request: throttled alike (docs/security-keys.md).
        throttle: authThrottleOf(deps),
      }),
    )
    .then(checkWebSocketPath())
    .then(requireScope('proxy'))
    // The session's tags come from the handshake's X-NavPlane-Tags; every trace of the session carries them.
    .then(readTags())
    .then(checkWebSocketModel())
    // The handshake counts as one request (rpm) and holds a concurrency slot while the session is open (docs/limits.md).
    .then(limitsStepOf(deps))
    .then(resolveCredential({ getProviderKey: deps.getProviderKey }))
    .then(
      resolveRequestPolicy({
        policies: deps.policies,
        getRedactor: deps.getRedactor,
        // Frames are never stored: no body capture on a WebSocket.
        captureBodies: false,
        captureLimits: { storeChars: deps.captureMaxBytes, redactBytes: policyLimits.maxBodyBytes, timeoutMs: policyLimits.timeoutMs },
      }),
    )
    .then(refuseUninspectablePolicy())
    // Spend budgets: a spent one refuses the upgrade (429 budget_exceeded); each response is settled as it ends.
    .then(checkWebSocketBudgets(deps.budgets));
  return createWebSocketProxy({
    steps,
    verifyKey: deps.verifyKey,
    looksLikeProviderKey: deps.registry.looksLikeProviderKey,
    limits,
    traceSink: deps.traceSink,
    ...(deps.gatewayMetrics === undefined ? {} : { gatewayMetrics: deps.gatewayMetrics }),
    ...(deps.budgets === undefined ? {} : { budgets: deps.budgets }),
    onError: (error) => deps.logger.error('gateway error', { err: error }),
  });
}

/** Registers `navplane_gateway_websockets_open`: the live proxied WebSocket connections, read at scrape time. */
export function registerWebSocketMetrics(metrics: MetricsRegistry, proxy: Pick<WebSocketProxy, 'live'>): void {
  metrics.gauge({
    name: 'navplane_gateway_websockets_open',
    help: 'Proxied WebSocket connections open now (Realtime, Responses over WebSocket)',
    collect() {
      this.set(proxy.live());
    },
  });
}
