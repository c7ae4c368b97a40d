import type { IncomingMessage } from 'node:http';
import { AppError } from '@navplane/core';
import { formatPathOf, providerPathFor, readRequestedModel, type ProviderRegistry, type ResolvedRoute } from '@navplane/providers';
import { retryPolicyOf, type RetryOn, type Route, type RouteDocument, type RouteTarget } from '@navplane/routing';
import type { Authenticated } from '../gateway-context';
import type { Step, StepResult } from '../pipeline/pipeline';
import type { BreakerTarget } from '../routing/circuit-breakers';
import type { RouteSource } from '../routing/route-source';
import { orderTargets, type Random } from '../routing/target-order';
import { bufferedBody } from './buffered-body';
import type { ModelChecked } from './model-allowlist.step';
import { isJson, readBody } from './request-body.step';

/** One target of a routed request, as it is sent: the route's entry, its adapter, path and operator base URL. */
export interface PlannedTarget {
  readonly target: RouteTarget;
  /** The provider route of the attempt: the target's adapter, the request's path in its terms, its operator base URL. */
  readonly route: ResolvedRoute;
  /** Its circuit breaker's identity (docs/routing.md, "Circuit breakers"). */
  readonly breaker: BreakerTarget;
}

/** The route of the org's routing table a request is served by (docs/routing.md, "How a routed request is served"). */
export interface ModelRoute {
  /** The route's name: the `model` the client sent. */
  readonly name: string;
  /** Its targets in the order the strategy tries them (a weighted pick first for `loadbalance`). */
  readonly targets: readonly PlannedTarget[];
  /** Most upstream attempts in all (`retry.attempts`, default one per target). */
  readonly attempts: number;
  /** The failures that move on to the next attempt (`retry.on`). */
  readonly retryOn: ReadonlySet<RetryOn>;
}

/** What resolveModelRoute adds: the route (when the body names one), and the body it had to read. */
export interface ModelRouted {
  readonly modelRoute?: ModelRoute;
  /** `GET` of the format's model listing: the org's route names of this API format, listed beside the provider's. */
  readonly listedRoutes?: readonly string[];
  readonly model?: string;
  readonly heldBody?: Buffer;
}

/** Options of resolveModelRoute. */
export interface ModelRouteOptions {
  routes: RouteSource;
  registry: ProviderRegistry;
  /** NAVPLANE_MAX_BODY_BYTES: the body read for its model is bounded like any other. */
  maxBodyBytes: number;
  /** The weighted pick of `loadbalance` (Math.random; seeded in tests). */
  random?: Random;
}

const NOTHING: ModelRouted = Object.freeze({});
const byName = new WeakMap<RouteDocument, ReadonlyMap<string, Route>>();

function routeNamed(document: RouteDocument, name: string): Route | undefined {
  let names = byName.get(document);
  if (names === undefined) {
    names = new Map(document.routes.map((route) => [route.model, route]));
    byName.set(document, names);
  }
  return names.get(name);
}

/** A route's targets for one request shape, in listed order, with the route's retry policy (see targetsFor). */
type RouteTargets =
  | AppError
  | {
      /** By index in `route.targets`: undefined for a target that cannot serve the shape. */
      readonly byIndex: ReadonlyArray<PlannedTarget | undefined>;
      readonly listed: readonly PlannedTarget[];
      readonly attempts: number;
      readonly retryOn: ReadonlySet<RetryOn>;
    };

/** Request shapes remembered per route before the route's plans are dropped and worked out again. */
const MAX_SHAPES_PER_ROUTE = 64;
/** Longest format path whose plan is kept. */
const MAX_KEPT_PATH = 256;

/**
 * Serves a request whose JSON body's `model` names a route of the org's routing table (docs/routing.md): reads the
 * body (bounded by NAVPLANE_MAX_BODY_BYTES, held as bytes so every attempt can send it again) when the org has routes
 * and the provider's path takes a model in its body, and plans the attempts: the route's targets in the strategy's
 * order, each with its provider's path for the request's (`ProviderAdapter.pathFor`: OpenAI's
 * `/v1/chat/completions` is `/openai/v1/chat/completions` on Azure OpenAI). The targets must speak the request's API
 * format (no translation between formats: else 400 `invalid_request`). In passthrough mode the client's own provider
 * key is sent only to targets of the provider it was sent for (the path's): a route with none is refused (400).
 * Runs after the model allowlist, which checks the name the client sent (the route's name). A `GET` of the format's
 * model listing is marked so the answer lists the org's route names too.
 */
export function resolveModelRoute(options: ModelRouteOptions): Step<Authenticated & ModelChecked, ModelRouted> {
  const { routes, registry, maxBodyBytes } = options;
  const random = options.random ?? Math.random;
  const planned = new WeakMap<Route, Map<string, RouteTargets>>();

  /**
   * What a route serves a request of one API format, path and credential mode with: its targets in listed order (a
   * target that cannot serve the request left out), or why it cannot. The same for every such request, so it is worked
   * out once per route document (a new document is a new Route) and request shape; only the order is per request.
   */
  function targetsFor(context: Authenticated, route: Route): RouteTargets {
    const client = context.route.adapter;
    const formatPath = formatPathOf(client, context.route.pathSuffix);
    const passthrough = context.credentialMode === 'passthrough';
    // A path longer than any provider's is planned each time rather than kept (the key stays small).
    if (formatPath.length > MAX_KEPT_PATH) return planTargets(context, route, formatPath, passthrough);
    const shape = `${context.key.orgId}\u0000${client.id}\u0000${context.method}\u0000${formatPath}\u0000${passthrough ? 'p' : 'v'}`;
    let shapes = planned.get(route);
    if (shapes === undefined) {
      shapes = new Map();
      planned.set(route, shapes);
    }
    let found = shapes.get(shape);
    if (found === undefined) {
      found = planTargets(context, route, formatPath, passthrough);
      // A handful of shapes per route (API format × path × mode); a client cycling through paths cannot grow it past this.
      if (shapes.size >= MAX_SHAPES_PER_ROUTE) shapes.clear();
      shapes.set(shape, found);
    }
    return found;
  }

  function planTargets(context: Authenticated, route: Route, formatPath: string, passthrough: boolean): RouteTargets {
    const client = context.route.adapter;
    const byIndex: Array<PlannedTarget | undefined> = [];
    for (const target of route.targets) {
      const adapter = registry.adapter(target.provider);
      byIndex.push(undefined);
      if (adapter === undefined) continue; // a provider no longer configured: not a target any more
      if (adapter.apiFormat !== client.apiFormat) {
        return new AppError(
          'invalid_request',
          `The route "${route.model}" serves the ${adapter.apiFormat} API format and this request is ${client.apiFormat}: the gateway does not translate between formats`,
        );
      }
      if (passthrough && adapter.id !== client.id) continue;
      const pathSuffix = providerPathFor(adapter, formatPath);
      if (!adapter.isAllowedPath(context.method, pathSuffix)) continue;
      const baseUrl = registry.baseUrl(adapter.id);
      byIndex[byIndex.length - 1] = {
        target,
        route: { adapter, pathSuffix, baseUrl } satisfies ResolvedRoute,
        breaker: {
          orgId: context.key.orgId,
          provider: adapter.id,
          baseUrl: baseUrl ?? '(tenant)',
          model: target.model,
          keyName: target.key,
        },
      };
    }
    const listed = byIndex.filter((target) => target !== undefined);
    const policy = retryPolicyOf(route);
    return { byIndex, listed, attempts: policy.attempts, retryOn: policy.on };
  }

  function plan(context: Authenticated, route: Route, req: IncomingMessage): StepResult<ModelRouted> {
    const targets = targetsFor(context, route);
    if (targets instanceof AppError) return targets;
    if (targets.listed.length === 0) {
      const client = context.route.adapter;
      return new AppError(
        'invalid_request',
        context.credentialMode === 'passthrough'
          ? `The route "${route.model}" has no ${client.id} target: with your own provider key (passthrough) only targets of that provider can be used`
          : `The route "${route.model}" has no target that serves ${context.method} ${context.path}`,
      );
    }
    if (!isJson(req.headers['content-type']) || req.headers['content-encoding'] !== undefined) {
      return new AppError('invalid_request', `The route "${route.model}" takes an uncompressed JSON body`);
    }
    let ordered = targets.listed;
    if (route.strategy === 'loadbalance' && route.targets.length > 1) {
      const picked: PlannedTarget[] = [];
      for (const index of orderTargets(route, random)) {
        const target = targets.byIndex[index];
        if (target !== undefined) picked.push(target);
      }
      ordered = picked;
    }
    return { modelRoute: { name: route.model, targets: ordered, attempts: targets.attempts, retryOn: targets.retryOn } };
  }

  function fromBody(
    context: Authenticated & ModelChecked,
    document: RouteDocument,
    req: IncomingMessage,
    body: Buffer,
  ): StepResult<ModelRouted> {
    let model = context.model;
    if (model === undefined) {
      const requested = readRequestedModel(body, {
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
      });
      if (requested.kind === 'named') model = requested.model;
    }
    const held: ModelRouted = body.length === 0 ? NOTHING : { heldBody: body };
    const route = model === undefined ? undefined : routeNamed(document, model);
    if (route === undefined) return held;
    const planned = plan(context, route, req);
    if (planned instanceof AppError || !('modelRoute' in planned)) return planned;
    return { ...held, ...planned, model: route.model };
  }

  function withDocument(
    context: Authenticated & ModelChecked,
    document: RouteDocument | undefined,
    req: IncomingMessage,
  ): StepResult<ModelRouted> | Promise<StepResult<ModelRouted>> {
    if (document === undefined || document.routes.length === 0) return NOTHING;
    const { route, method, rawQuery } = context;
    const listing = route.adapter.modelListing;
    if (method === 'GET' && listing !== undefined && formatPathOf(route.adapter, route.pathSuffix) === listing.path) {
      const names = document.routes
        .filter((entry) => entry.targets.some((target) => registry.adapter(target.provider)?.apiFormat === route.adapter.apiFormat))
        .map((entry) => entry.model);
      return names.length === 0 ? NOTHING : { listedRoutes: names };
    }
    if (route.adapter.modelSelection(method, route.pathSuffix, rawQuery).in !== 'body') return NOTHING;
    const held = context.heldBody;
    if (held !== undefined) return fromBody(context, document, req, held);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      return new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`);
    }
    const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return NOTHING;
    const buffered = bufferedBody(req, maxBodyBytes);
    if (buffered !== undefined) return fromBody(context, document, req, buffered);
    return readBody(req, maxBodyBytes).then(
      (body) => fromBody(context, document, req, body),
      (error: unknown) => {
        if (error instanceof AppError) return error;
        throw error;
      },
    );
  }

  return {
    name: 'resolveModelRoute',
    run(context, { req }) {
      const orgId = context.key.orgId;
      const peeked = routes.peek?.(orgId);
      if (peeked !== undefined) return withDocument(context, peeked, req);
      return routes.get(orgId).then((document) => withDocument(context, document, req));
    },
  };
}
