import { ORG_ADMIN } from '../auth/access-rule';
import { listOf, orgParams } from '../schemas/common.schemas';
import { createWorkspaceBody, workspaceSchema } from '../schemas/org.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

/** Workspaces of an org. */
export const WORKSPACE_ROUTES = [
  defineRoute({
    operationId: 'createWorkspace',
    method: 'post',
    path: '/admin/orgs/:orgId/workspaces',
    tag: 'workspaces',
    summary: 'Create a workspace',
    access: ORG_ADMIN,
    params: orgParams,
    body: createWorkspaceBody,
    status: 201,
    response: workspaceSchema,
    errors: [404],
    example: { body: { name: 'research' } },
    handle: ({ params, body, actor, deps }) => deps.operations.workspaces.create(params.orgId, body, actor),
  }),
  defineRoute({
    operationId: 'listWorkspaces',
    method: 'get',
    path: '/admin/orgs/:orgId/workspaces',
    tag: 'workspaces',
    summary: "List an org's workspaces",
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: listOf(workspaceSchema),
    errors: [404],
    handle: async ({ params, deps }) => mapValue(await deps.operations.workspaces.list(params.orgId), (data) => ({ data })),
  }),
];
