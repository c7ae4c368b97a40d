import { ORG_ADMIN } from '../auth/access-rule';
import { listOf, orgParams } from '../schemas/common.schemas';
import { deleteProviderKeyQuery, providerKeyParams, providerKeySchema, setProviderKeyBody } from '../schemas/provider-key.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

/** An org's provider keys (vault mode): stored encrypted, never shown again. */
export const PROVIDER_KEY_ROUTES = [
  defineRoute({
    operationId: 'setProviderKey',
    method: 'put',
    path: '/admin/orgs/:orgId/provider-keys/:provider',
    tag: 'provider-keys',
    summary:
      "Store or replace the org's key for a provider under a name (default `default`; encrypted; only the last 4 characters are ever shown)",
    access: ORG_ADMIN,
    params: providerKeyParams,
    body: setProviderKeyBody,
    status: 200,
    response: providerKeySchema,
    errors: [404],
    example: { body: { key: 'sk-example-0123456789abcdef', name: 'eu' } },
    handle: ({ params, body, actor, deps }) =>
      deps.operations.providerKeys.set(params.orgId, params.provider, body.key, actor, { name: body.name, baseUrl: body.baseUrl }),
  }),
  defineRoute({
    operationId: 'listProviderKeys',
    method: 'get',
    path: '/admin/orgs/:orgId/provider-keys',
    tag: 'provider-keys',
    summary:
      "List the org's provider keys by provider, then name: name, last 4 characters, created/rotated times, and the base URL stored with it",
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: listOf(providerKeySchema),
    errors: [404],
    handle: async ({ params, deps }) => mapValue(await deps.operations.providerKeys.list(params.orgId), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'deleteProviderKey',
    method: 'delete',
    path: '/admin/orgs/:orgId/provider-keys/:provider',
    tag: 'provider-keys',
    summary:
      'Delete every key of a provider, or with `?name=` the key of that name (404 when there is none): the next vault-mode request for it fails with provider_key_missing',
    access: ORG_ADMIN,
    params: providerKeyParams,
    query: deleteProviderKeyQuery,
    status: 204,
    errors: [404],
    handle: ({ params, query, actor, deps }) =>
      deps.operations.providerKeys.delete(params.orgId, params.provider, actor, query.name === undefined ? {} : { name: query.name }),
  }),
];
