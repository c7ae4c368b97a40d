import { SUPPORTED_PROVIDERS } from '@navplane/operations';
import { ORG_ADMIN } from '../auth/access-rule';
import { orgParams } from '../schemas/common.schemas';
import { putRoutesBody, routeDocumentSchema } from '../schemas/route.schemas';
import { defineRoute } from './route-definition';

const SEMANTICS =
  "A request whose body `model` equals a route's `model` is sent to that route's targets (`fallback`: in order; " +
  "`loadbalance`: one picked by `weight`, the others as fallbacks), each target's `model` replacing the body's. " +
  'Every gateway routes by the new table within about a second of the change (`routes.changed`). See docs/routing.md.';

/** The org's routing table (docs/routing.md). */
export const ORG_ROUTE_ROUTES = [
  defineRoute({
    operationId: 'getRoutes',
    method: 'get',
    path: '/admin/orgs/:orgId/routes',
    tag: 'routes',
    summary: 'The org\'s routing table (every default filled in; `{"routes":[]}` when it has none)',
    description: SEMANTICS,
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: routeDocumentSchema,
    errors: [404],
    handle: async ({ params, deps }) => deps.operations.routes.get(params.orgId),
  }),
  defineRoute({
    operationId: 'putRoutes',
    method: 'put',
    path: '/admin/orgs/:orgId/routes',
    tag: 'routes',
    summary: "Replace the org's whole routing table",
    description:
      `${SEMANTICS} Validated whole: a 400 \`invalid_request\` lists every problem with its path and route ` +
      '(`routes[1].targets[0].provider (route "smart"): unknown provider "x"`; `param` is the first path) — the ' +
      'shape and limits, a route name twice, an unknown provider, targets of one route speaking different API formats, ' +
      'a `key` naming no stored provider key of the org for that provider. Audited as `routes.put`.',
    access: ORG_ADMIN,
    params: orgParams,
    body: putRoutesBody,
    status: 200,
    response: routeDocumentSchema,
    errors: [404],
    example: {
      body: {
        routes: [
          {
            model: 'smart',
            strategy: 'fallback',
            // The first provider of the registry: the harness seeds every tenant with its `default` key.
            targets: [{ provider: SUPPORTED_PROVIDERS[0], model: 'gpt-4.1', key: 'default' }],
            retry: { attempts: 2, on: ['connect', 'timeout', '429', '5xx'] },
          },
        ],
      },
    },
    handle: async ({ params, body, actor, deps }) => deps.operations.routes.put(params.orgId, body, actor),
  }),
];
