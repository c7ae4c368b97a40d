import { ORG_ADMIN } from '../auth/access-rule';
import { listOf, orgParams, pathId } from '../schemas/common.schemas';
import { issueKeyBody, issuedKeySchema, keyRecordSchema, rotateKeyBody, rotatedKeySchema } from '../schemas/key.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

const keyParams = orgParams.extend({ keyId: pathId('NavPlane key id (`key_…`)') });

/** An org's NavPlane keys. */
export const ORG_KEY_ROUTES = [
  defineRoute({
    operationId: 'issueKey',
    method: 'post',
    path: '/admin/orgs/:orgId/keys',
    tag: 'keys',
    summary: 'Issue a NavPlane key (the response is the only time `key` is shown)',
    access: ORG_ADMIN,
    params: orgParams,
    body: issueKeyBody,
    status: 201,
    response: issuedKeySchema,
    errors: [404],
    example: { body: { name: 'ci', scopes: ['proxy'] } },
    handle: async ({ params, body, actor, deps }) =>
      mapValue(await deps.operations.keys.issue(params.orgId, body, actor), ({ key, record }) => ({ ...record, key })),
  }),
  defineRoute({
    operationId: 'listKeys',
    method: 'get',
    path: '/admin/orgs/:orgId/keys',
    tag: 'keys',
    summary: "List an org's keys, revoked ones included (never the key or its hash)",
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: listOf(keyRecordSchema),
    errors: [404],
    handle: async ({ params, deps }) => mapValue(await deps.operations.keys.list(params.orgId), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'rotateKey',
    method: 'post',
    path: '/admin/orgs/:orgId/keys/:keyId/rotate',
    tag: 'keys',
    summary: 'Rotate a key: a new key now, the old one works until the grace ends',
    access: ORG_ADMIN,
    params: keyParams,
    body: rotateKeyBody,
    status: 201,
    response: rotatedKeySchema,
    errors: [404, 409],
    example: { body: { graceSeconds: 3600 } },
    handle: async ({ params, body, actor, deps }) =>
      mapValue(await deps.operations.keys.rotate(params.orgId, params.keyId, body, actor), ({ key, record, previous }) => ({
        ...record,
        key,
        previous,
      })),
  }),
  defineRoute({
    operationId: 'revokeKey',
    method: 'delete',
    path: '/admin/orgs/:orgId/keys/:keyId',
    tag: 'keys',
    summary: 'Revoke a key (refused by every gateway instance within a second)',
    access: ORG_ADMIN,
    params: keyParams,
    status: 204,
    errors: [404],
    handle: async ({ params, actor, deps }) =>
      mapValue(await deps.operations.keys.revoke(params.orgId, params.keyId, actor), () => undefined),
  }),
];
