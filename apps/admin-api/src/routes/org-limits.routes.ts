import { ORG_ADMIN } from '../auth/access-rule';
import { orgParams } from '../schemas/common.schemas';
import { ok } from '@navplane/core';
import { limitsAnswerSchema, putLimitsAnswerSchema, putLimitsBody } from '../schemas/limit.schemas';
import { defineRoute } from './route-definition';

const SEMANTICS =
  'Limits per scope (`org`, `workspace`, `key`): `rpm`, `tpm`, `concurrency`, a `budget` in USD per UTC day or month ' +
  'and spend `alerts` at fractions of it. Every entry whose scope covers a request applies. Every gateway enforces the ' +
  'new document within about a second of the change (`limits.changed`). See docs/limits.md.';

/** The org's limits document (docs/limits.md). */
export const ORG_LIMIT_ROUTES = [
  defineRoute({
    operationId: 'getLimits',
    method: 'get',
    path: '/admin/orgs/:orgId/limits',
    tag: 'limits',
    summary: 'The org\'s limits document as stored (`{"limits":[]}` when it has none)',
    description: SEMANTICS,
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: limitsAnswerSchema,
    errors: [404],
    handle: async ({ params, deps }) => deps.operations.limits.get(params.orgId),
  }),
  defineRoute({
    operationId: 'putLimits',
    method: 'put',
    path: '/admin/orgs/:orgId/limits',
    tag: 'limits',
    summary: "Replace the org's whole limits document",
    description:
      `${SEMANTICS} Validated whole: a 400 \`invalid_request\` lists every problem with its path ` +
      '(`limits[2].scope.id: no NavPlane key "key_…" in this org`; `param` is the first path) — the shape and bounds, ' +
      'a scope twice, an entry limiting nothing, alerts without a budget, a workspace or key id that is not one of the ' +
      "org's. Answers the document as stored (an org scope's `id` dropped, thresholds ascending) and, the first time a " +
      'document with alerts is stored for the org, `webhookSecret`: the secret that signs its spend alerts, shown this once. ' +
      'Audited as `limits.put`.',
    access: ORG_ADMIN,
    params: orgParams,
    body: putLimitsBody,
    status: 200,
    response: putLimitsAnswerSchema,
    errors: [404],
    example: {
      body: {
        limits: [
          { scope: { type: 'org' }, rpm: 600, tpm: 200000, budget: { usd: 50, period: 'month' } },
          { scope: { type: 'workspace', id: '{workspaceId}' }, concurrency: 20 },
          {
            scope: { type: 'key', id: '{keyId}' },
            rpm: 60,
            budget: { usd: 5, period: 'day' },
            alerts: { thresholds: [0.5, 0.8, 1], webhookUrl: 'https://alerts.example.com/navplane' },
          },
        ],
      },
    },
    async handle({ params, body, actor, deps }) {
      const stored = await deps.operations.limits.put(params.orgId, body, actor);
      if (!stored.ok || !stored.value.limits.some((entry) => entry.alerts !== undefined)) return stored;
      // The first document with alerts creates the org's webhook secret: shown in this answer only (docs/limits.md).
      const webhookSecret = await deps.operations.budgets.ensureWebhookSecret(params.orgId);
      return ok(webhookSecret === undefined ? stored.value : { ...stored.value, webhookSecret });
    },
  }),
];
