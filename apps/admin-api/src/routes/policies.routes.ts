import { ORG_ADMIN } from '../auth/access-rule';
import { listOf, orgParams } from '../schemas/common.schemas';
import { policySchema, putPoliciesBody } from '../schemas/policy.schemas';
import { mapValue } from './map-result';
import { defineRoute } from './route-definition';

const NOT_ENFORCED_YET =
  'Policies are stored, audited and announced to every instance; the gateway does not enforce them yet (the policy ' +
  'engine comes with a later release).';

/** An org's redaction/guardrail policies (CONTRACT §6). */
export const POLICY_ROUTES = [
  defineRoute({
    operationId: 'getPolicies',
    method: 'get',
    path: '/admin/orgs/:orgId/policies',
    tag: 'policies',
    summary: "The org's policies",
    description: NOT_ENFORCED_YET,
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
    description: NOT_ENFORCED_YET,
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
          { scope: { type: 'provider', value: 'openai' }, mode: 'block', detectors: ['secrets', 'credit_card'] },
        ],
      },
    },
    handle: async ({ params, body, actor, deps }) =>
      mapValue(await deps.operations.policies.put(params.orgId, body.policies, actor), (data) => ({ data })),
  }),
];
