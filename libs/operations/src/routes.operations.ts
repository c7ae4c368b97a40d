import type { AuditActor } from '@navplane/auth';
import { AppError, err, ok, type Result } from '@navplane/core';
import {
  describeRouteProblems,
  parseRouteDocument,
  readStoredRouteDocument,
  type RouteDocument,
  type RouteProblem,
} from '@navplane/routing';
import { CHANGE_TOPICS, type JsonObject, type ProviderKeySummary } from '@navplane/storage';
import type { OperationContext } from './operation-context';
import { createOrgDocumentOperations } from './org-document.operations';

/**
 * The org's routing table (docs/routing.md): validated whole, stored as one document, audited, and announced to every
 * gateway (`routes.changed`), which routes by it within the change feed's bound.
 */
export interface RouteOperations {
  /** The org's table with every default filled in (`{ routes: [] }` when it has none). Errors: `not_found` (org). */
  get(orgId: string): Promise<Result<RouteDocument, AppError>>;
  /**
   * Replaces the org's table with `document` (audit `routes.put` with each route's name and targets; publishes
   * `routes.changed`) and returns it as stored (defaults filled in). Errors: `invalid_request` naming every problem with
   * its path and route (`param`: the first problem's path) — the schema, a route name twice, an unknown provider, the
   * targets of a route speaking different API formats, a key name the org has no stored key of that provider under
   * (`parseRouteDocument` with the org's key names); `not_found` (org); `internal_error` (retryable: stored but not
   * announced).
   */
  put(orgId: string, document: unknown, actor: AuditActor): Promise<Result<RouteDocument, AppError>>;
}

/** The name a stored provider key goes by: its `name` once keys are named, else the one key's name, `default`. */
function keyNameOf(summary: ProviderKeySummary): string {
  return 'name' in summary && typeof summary.name === 'string' ? summary.name : 'default';
}

/** The route's name for a message (`route "smart"`), read from what the client sent. */
function routeNameAt(raw: unknown, path: string): string | undefined {
  const index = /^routes\[(\d+)\]/.exec(path)?.[1];
  if (index === undefined || typeof raw !== 'object' || raw === null || !('routes' in raw) || !Array.isArray(raw.routes)) return undefined;
  const route: unknown = raw.routes[Number(index)];
  if (typeof route !== 'object' || route === null || !('model' in route) || typeof route.model !== 'string') return undefined;
  return route.model.length > 64 ? `${route.model.slice(0, 64)}…` : route.model;
}

/** `invalid_request` listing every problem, each with its path and the route it is in. */
function refused(raw: unknown, problems: readonly RouteProblem[]): Result<never, AppError> {
  const named = problems.map((problem) => {
    const route = routeNameAt(raw, problem.path);
    return { path: route === undefined ? problem.path : `${problem.path} (route "${route}")`, message: problem.message };
  });
  const count = problems.length === 1 ? '' : ` (${problems.length} problems)`;
  return err(
    new AppError('invalid_request', `Invalid routing table${count}: ${describeRouteProblems(named)}`, {
      details: { param: problems[0]?.path ?? 'routes' },
    }),
  );
}

/** The names of the org's stored keys, by provider. */
function keyNamesByProvider(stored: readonly ProviderKeySummary[]): ReadonlyMap<string, readonly string[]> {
  const names = new Map<string, string[]>();
  for (const summary of stored) names.set(summary.provider, [...(names.get(summary.provider) ?? []), keyNameOf(summary)]);
  return names;
}

/** What the audit record says of a table: each route's name, strategy and targets (never a key). */
function auditDetails(document: RouteDocument): JsonObject {
  return {
    count: document.routes.length,
    routes: document.routes.map((route) => ({
      model: route.model,
      strategy: route.strategy,
      targets: route.targets.map((target) => ({
        provider: target.provider,
        model: target.model,
        key: target.key,
        ...(target.weight === undefined ? {} : { weight: target.weight }),
      })),
    })),
  };
}

/** The routing-table use cases over `context`. */
export function createRouteOperations(context: OperationContext): RouteOperations {
  return createOrgDocumentOperations<RouteDocument>(context, {
    repository: (within) => within.routes,
    empty: () => ({ routes: [] }),
    readStored: readStoredRouteDocument,
    async parse(orgId, raw) {
      const keyNames = keyNamesByProvider(await context.repos.providerKeys.listByOrg(orgId));
      const parsed = parseRouteDocument(raw, { apiFormat: context.apiFormat, keyNames: (provider) => keyNames.get(provider) });
      return parsed.ok ? ok(parsed.value) : refused(raw, parsed.problems);
    },
    action: 'routes.put',
    auditDetails,
    changed: CHANGE_TOPICS.routesChanged,
    subject: "The org's routing table was saved",
  });
}
