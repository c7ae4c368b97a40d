import { ORG_ADMIN, PLATFORM_ONLY } from '../auth/access-rule';
import { listOf, orgParams } from '../schemas/common.schemas';
import { createOrgBody, orgSchema, setEnabledBody } from '../schemas/org.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

/** Orgs (tenants) and the kill switch. */
export const ORG_ROUTES = [
  defineRoute({
    operationId: 'createOrg',
    method: 'post',
    path: '/admin/orgs',
    tag: 'orgs',
    summary: 'Create an org',
    access: PLATFORM_ONLY,
    body: createOrgBody,
    status: 201,
    response: orgSchema,
    example: { body: { name: 'Acme' } },
    handle: ({ body, actor, deps }) => deps.operations.orgs.create(body, actor),
  }),
  defineRoute({
    operationId: 'listOrgs',
    method: 'get',
    path: '/admin/orgs',
    tag: 'orgs',
    summary: 'List every org',
    access: PLATFORM_ONLY,
    status: 200,
    response: listOf(orgSchema),
    handle: async ({ deps }) => mapValue(await deps.operations.orgs.list(), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'getOrg',
    method: 'get',
    path: '/admin/orgs/:orgId',
    tag: 'orgs',
    summary: 'Get an org',
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: orgSchema,
    errors: [404],
    handle: ({ params, deps }) => deps.operations.orgs.get(params.orgId),
  }),
  defineRoute({
    operationId: 'setOrgEnabled',
    method: 'put',
    path: '/admin/orgs/:orgId/enabled',
    tag: 'orgs',
    summary: 'Switch an org on or off (the kill switch)',
    description:
      'Platform admins only, so a tenant cannot lift a switch-off. Every gateway instance is told before this returns; ' +
      'a disabled org gets 403 org_disabled on every request, and its NavPlane keys lose admin API access too.',
    access: PLATFORM_ONLY,
    params: orgParams,
    body: setEnabledBody,
    status: 200,
    response: orgSchema,
    errors: [404],
    example: { body: { enabled: false } },
    handle: ({ params, body, actor, deps }) => deps.operations.orgs.setEnabled(params.orgId, body.enabled, actor),
  }),
];
