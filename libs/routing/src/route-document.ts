import { z } from 'zod';

/**
 * The org's routing table (docs/routing.md): `PUT /admin/orgs/:orgId/routes` replaces it whole, `GET` returns it,
 * `navplane route show|set` reads and writes the same document.
 *
 * ```json
 * { "routes": [ { "model": "smart", "strategy": "fallback",
 *     "targets": [ { "provider": "openai", "model": "gpt-4.1", "key": "default" },
 *                  { "provider": "azure-openai", "model": "gpt-4.1", "key": "eu", "weight": 1 } ],
 *     "retry": { "attempts": 2, "on": ["connect", "timeout", "429", "5xx"] } } ] }
 * ```
 */

/** The failures a route may retry or fall back on: `5xx` includes Anthropic's 529. */
export const RETRY_ON = ['connect', 'timeout', '429', '5xx'] as const;
export type RetryOn = (typeof RETRY_ON)[number];

/**
 * Strategies: `fallback` tries targets in order (a `weight` is accepted and ignored); `loadbalance` picks one by weight
 * (default 1), the others as fallbacks.
 */
export const ROUTE_STRATEGIES = ['fallback', 'loadbalance'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

/** Most routes per org, targets per route, attempts per request: bounds that keep a document and a request small. */
export const ROUTE_LIMITS = Object.freeze({ routes: 200, targets: 10, attempts: 10, nameLength: 256, keyNameLength: 64 });

/** A provider key name (`default` when absent): letters, digits, `.`, `_`, `-`. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// No control characters in a name a client sends or a provider receives.
const modelName = z
  .string()
  .min(1)
  .max(ROUTE_LIMITS.nameLength)
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  .refine((value) => value.trim() === value && !/[\u0000-\u001f\u007f]/.test(value), {
    message: 'must have no surrounding white space and no control characters',
  });

const target = z
  .object({
    provider: z.string().min(1).max(64),
    model: modelName,
    key: z.string().regex(KEY_NAME, 'must be 1-64 letters, digits, ".", "_" or "-"').default('default'),
    weight: z.number().positive().max(1_000_000).optional(),
  })
  .strict();

const retry = z
  .object({
    attempts: z.number().int().min(1).max(ROUTE_LIMITS.attempts).optional(),
    on: z
      .array(z.enum(RETRY_ON))
      .max(RETRY_ON.length)
      .refine((list) => new Set(list).size === list.length, { message: 'lists a failure twice' })
      .optional(),
  })
  .strict();

const route = z
  .object({
    model: modelName,
    strategy: z.enum(ROUTE_STRATEGIES).default('fallback'),
    targets: z.array(target).min(1).max(ROUTE_LIMITS.targets),
    retry: retry.optional(),
  })
  .strict();

/** The zod schema of the document as clients send it (defaults filled in when parsed). */
export const ROUTE_DOCUMENT_SCHEMA = z.object({ routes: z.array(route).max(ROUTE_LIMITS.routes) }).strict();

/** A parsed routing table: every default filled in (`strategy`, each target's `key`). */
export type RouteDocument = z.output<typeof ROUTE_DOCUMENT_SCHEMA>;
export type Route = RouteDocument['routes'][number];
export type RouteTarget = Route['targets'][number];

/** The effective retry policy of a route: `attempts` (default one per target) and `on` (default every failure). */
export function retryPolicyOf(route: Route): { readonly attempts: number; readonly on: ReadonlySet<RetryOn> } {
  return {
    attempts: route.retry?.attempts ?? route.targets.length,
    on: new Set(route.retry?.on ?? RETRY_ON),
  };
}

/** What validation needs to know about the providers: whether an id exists, and the API format it speaks. */
export interface RouteProviders {
  /** The API format of a provider (`openai`, `anthropic`, `gemini`), undefined for an unknown id. */
  apiFormat(providerId: string): string | undefined;
  /**
   * The names of the org's stored keys of a provider (empty or undefined: none stored). When given, every target's
   * `key` must be one of them; when absent, key names are not checked.
   */
  keyNames?(providerId: string): readonly string[] | undefined;
}

/** One problem of a document, where it is (`routes[2].targets[1].provider`) and what is wrong. */
export interface RouteProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Parses and validates a whole routing table: the schema, then what the schema cannot see — route names unique, every
 * provider known, the targets of a route speaking one API format, and (with `providers.keyNames`) every target's key
 * stored. Every problem is reported, each with its path, so a 400 says which route and target.
 */
export function parseRouteDocument(
  raw: unknown,
  providers: RouteProviders,
): { ok: true; value: RouteDocument } | { ok: false; problems: RouteProblem[] } {
  const parsed = ROUTE_DOCUMENT_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    };
  }
  const problems: RouteProblem[] = [];
  const seen = new Map<string, number>();
  parsed.data.routes.forEach((entry, i) => {
    const first = seen.get(entry.model);
    if (first !== undefined) problems.push({ path: `routes[${i}].model`, message: `"${entry.model}" is also routes[${first}]'s name` });
    else seen.set(entry.model, i);
    const formats = new Set<string>();
    entry.targets.forEach((t, j) => {
      const format = providers.apiFormat(t.provider);
      if (format === undefined) {
        problems.push({ path: `routes[${i}].targets[${j}].provider`, message: `unknown provider "${t.provider}"` });
        return;
      }
      formats.add(format);
      const keyProblem = providers.keyNames === undefined ? undefined : checkKeyName(t, providers.keyNames(t.provider) ?? []);
      if (keyProblem !== undefined) problems.push({ path: `routes[${i}].targets[${j}].key`, message: keyProblem });
    });
    if (formats.size > 1) {
      problems.push({
        path: `routes[${i}].targets`,
        message: `targets speak different API formats (${[...formats].sort().join(', ')}): a route's targets must speak one`,
      });
    }
  });
  return problems.length === 0 ? { ok: true, value: parsed.data } : { ok: false, problems };
}

/** Why a target's key name is refused, or undefined when the org holds a key of that name for the provider. */
function checkKeyName(target: RouteTarget, stored: readonly string[]): string | undefined {
  if (stored.includes(target.key)) return undefined;
  if (stored.length === 0) return `this org has no ${target.provider} key stored (store one first)`;
  return `this org has no ${target.provider} key named "${target.key}" (it has: ${[...stored].sort().join(', ')})`;
}

/**
 * A stored document read back (`routes.document`): the schema only, since it was validated whole when it was put (the
 * providers and key names it names may have changed since: the gateway answers those per request). Throws an Error
 * naming every problem for a document the schema no longer accepts, which only a hand-edited row can be.
 */
export function readStoredRouteDocument(stored: unknown): RouteDocument {
  const parsed = ROUTE_DOCUMENT_SCHEMA.safeParse(stored);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
  throw new Error(`the stored routing table is not valid: ${problems}`);
}

/** The problems of a refused document as one line: `routes[1].targets[0].provider: unknown provider "x"; …`. */
export function describeRouteProblems(problems: readonly RouteProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
}

const indexes = new WeakMap<RouteDocument, ReadonlyMap<string, Route>>();

/**
 * The route whose `model` is `model` in `document`, or undefined. The index of a document is built on its first lookup
 * and kept as long as the document is (documents are immutable once parsed), so a lookup is one Map read.
 */
export function findRoute(document: RouteDocument, model: string): Route | undefined {
  let index = indexes.get(document);
  if (index === undefined) {
    index = new Map(document.routes.map((route) => [route.model, route]));
    indexes.set(document, index);
  }
  return index.get(model);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(document)' : out;
}
