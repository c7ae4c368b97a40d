// The sample routing tables the specs share (docs/routing.md): one `smart` fallback route, load-balanced routes and
// one-target tables, each as a client writes it (`input`, defaults left out) and as it is stored and returned
// (`stored`: `strategy` and every target's `key` filled in). Used by the routing, operations, admin API and CLI specs
// and by the bench's routed target.

/** A route target as a client writes it. */
export type SampleTargetInput = {
  readonly provider: string;
  readonly model: string;
  readonly key?: string;
  readonly weight?: number;
};

/** A route's retry rule. */
export type SampleRetry = {
  readonly attempts: number;
  on: string[];
};

/** A route as a client writes it. */
export type SampleRouteInput = {
  readonly model: string;
  readonly strategy?: 'fallback' | 'loadbalance';
  targets: SampleTargetInput[];
  readonly retry?: SampleRetry;
};

/** A route as stored and returned: strategy and key names filled in. */
export type SampleRouteStored = {
  readonly model: string;
  readonly strategy: 'fallback' | 'loadbalance';
  targets: Array<SampleTargetInput & { key: string }>;
  readonly retry?: SampleRetry;
};

/** One route in both forms. */
export type SampleRoute = {
  readonly input: SampleRouteInput;
  readonly stored: SampleRouteStored;
};

/** A whole routing table in both forms (`{ routes: [...] }`). */
export type SampleRouteTable = {
  input: { routes: SampleRouteInput[] };
  stored: { routes: SampleRouteStored[] };
};

/** The route as the routes schema stores it: `strategy` defaults to `fallback`, a target's `key` to `default`. */
function stored(input: SampleRouteInput): SampleRouteStored {
  return {
    model: input.model,
    strategy: input.strategy ?? 'fallback',
    targets: input.targets.map((target) => ({ ...target, key: target.key ?? 'default' })),
    ...(input.retry === undefined ? {} : { retry: { attempts: input.retry.attempts, on: [...input.retry.on] } }),
  };
}

/** `input` in both forms. */
export function sampleRoute(input: SampleRouteInput): SampleRoute {
  return { input, stored: stored(input) };
}

/** The second target of the `smart` route unless a spec names another. */
export const SMART_SECOND_TARGET: SampleTargetInput = Object.freeze({ provider: 'openai', model: 'gpt-4.1-mini', weight: 2 });

/**
 * The `smart` fallback route: OpenAI `gpt-4.1` first, then `second` (default OpenAI `gpt-4.1-mini`, weight 2: a weight
 * a fallback route accepts and ignores), with `retry` when given (default none: one attempt per target). Every target
 * uses the key named `default` unless `second` names another.
 */
export function smartFallbackRoute(options: { second?: SampleTargetInput; retry?: SampleRetry } = {}): SampleRoute {
  return sampleRoute({
    model: 'smart',
    targets: [{ provider: 'openai', model: 'gpt-4.1' }, options.second ?? SMART_SECOND_TARGET],
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}

/** A `loadbalance` route named `model` over `targets`. */
export function loadbalanceRoute(model: string, targets: readonly SampleTargetInput[]): SampleRoute {
  return sampleRoute({ model, strategy: 'loadbalance', targets: [...targets] });
}

/** A table of `routes`, in both forms. */
export function routeTable(...routes: readonly SampleRoute[]): SampleRouteTable {
  return { input: { routes: routes.map((route) => route.input) }, stored: { routes: routes.map((route) => route.stored) } };
}

/** A table of one fallback route: `model` to OpenAI's `targetModel` with the `default` key. */
export function singleTargetTable(model: string, targetModel = 'gpt-4.1'): SampleRouteTable {
  return routeTable(sampleRoute({ model, targets: [{ provider: 'openai', model: targetModel }] }));
}
