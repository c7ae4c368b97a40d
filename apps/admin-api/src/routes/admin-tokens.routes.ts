import { PLATFORM_ONLY } from '../auth/access-rule';
import { adminTokenParams, adminTokenSchema, createAdminTokenBody, createdAdminTokenSchema } from '../schemas/admin-token.schemas';
import { listOf } from '../schemas/common.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

/** Platform-admin tokens (`npa_…`; the CLI creates them too). */
export const ADMIN_TOKEN_ROUTES = [
  defineRoute({
    operationId: 'createAdminToken',
    method: 'post',
    path: '/admin/admin-tokens',
    tag: 'admin-tokens',
    summary: 'Create a platform-admin token (the response is the only time `token` is shown)',
    access: PLATFORM_ONLY,
    body: createAdminTokenBody,
    status: 201,
    response: createdAdminTokenSchema,
    example: { body: { name: 'dashboard' } },
    handle: async ({ body, actor, deps }) =>
      mapValue(await deps.operations.adminTokens.create(body.name, actor), ({ token, record }) => ({ ...record, token })),
  }),
  defineRoute({
    operationId: 'listAdminTokens',
    method: 'get',
    path: '/admin/admin-tokens',
    tag: 'admin-tokens',
    summary: 'List the admin tokens not revoked (never the token or its hash)',
    access: PLATFORM_ONLY,
    status: 200,
    response: listOf(adminTokenSchema),
    handle: async ({ deps }) => mapValue(await deps.operations.adminTokens.list(), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'revokeAdminToken',
    method: 'delete',
    path: '/admin/admin-tokens/:tokenId',
    tag: 'admin-tokens',
    summary: 'Revoke an admin token (refused by every instance at once)',
    access: PLATFORM_ONLY,
    params: adminTokenParams,
    status: 204,
    errors: [404],
    handle: async ({ params, actor, deps }) => mapValue(await deps.operations.adminTokens.revoke(params.tokenId, actor), () => undefined),
  }),
];
