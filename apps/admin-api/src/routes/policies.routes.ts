import { SUPPORTED_PROVIDERS } from '@navplane/operations';
import { ORG_ADMIN } from '../auth/access-rule';
import { listOf, orgParams } from '../schemas/common.schemas';
import { policySchema, putPoliciesBody, saltRotationSchema } from '../schemas/policy.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

const ENFORCEMENT =
  'Every gateway enforces the most specific policy that applies to a request (key > workspace > route > provider > ' +
  'org; `redact_storage` by default when body capture is on) within about a second of the change. Modes: `off`, ' +
  '`redact_storage`, `redact_upstream` (fails closed: 503 `policy_unavailable`), `block` (400 `policy_blocked`; ' +
  'fails closed). A route value is a path (`/v1/chat/completions` or `/openai/v1/chat/completions`), or a prefix ' +
  'ending in `*`. See docs/policy.md.';

/** An org's redaction/guardrail policies (docs/policy.md). */
export const POLICY_ROUTES = [
  defineRoute({
    operationId: 'getPolicies',
    method: 'get',
    path: '/admin/orgs/:orgId/policies',
    tag: 'policies',
    summary: "The org's policies",
    description: ENFORCEMENT,
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: listOf(policySchema),
    errors: [404],
    handle: async ({ params, deps }) => mapValue(await deps.operations.policies.get(params.orgId), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'putPolicies',
    method: 'put',
    path: '/admin/orgs/:orgId/policies',
    tag: 'policies',
    summary: "Replace the org's whole policy set (one policy per scope; the most specific scope wins)",
    description: ENFORCEMENT,
    access: ORG_ADMIN,
    params: orgParams,
    body: putPoliciesBody,
    status: 200,
    response: listOf(policySchema),
    errors: [404],
    example: {
      body: {
        policies: [
          { scope: { type: 'org' }, mode: 'redact_storage' },
          { scope: { type: 'provider', value: SUPPORTED_PROVIDERS[0] }, mode: 'block', detectors: ['secrets', 'credit_card'] },
        ],
      },
    },
    handle: async ({ params, body, actor, deps }) =>
      mapValue(await deps.operations.policies.put(params.orgId, body.policies, actor), (data) => ({ data })),
  }),
  defineRoute({
    operationId: 'rotatePlaceholderSalt',
    method: 'post',
    path: '/admin/orgs/:orgId/policies/salt/rotate',
    tag: 'policies',
    summary: "Rotate the org's placeholder salt",
    description:
      'Placeholders (`[EMAIL:1a2b3c4d]`) are HMACs of the value under a per-org salt kept in the vault. After a ' +
      'rotation the same value gets a new placeholder; placeholders already stored in traces keep theirs, so they ' +
      'stay valid (and comparable with each other) in old traces. Audited as `policy.salt_rotate`.',
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: saltRotationSchema,
    errors: [404],
    handle: async ({ params, actor, deps }) => deps.operations.policies.rotateSalt(params.orgId, actor),
  }),
];
