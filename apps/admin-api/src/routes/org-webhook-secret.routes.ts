import { ORG_ADMIN } from '../auth/access-rule';
import { orgParams } from '../schemas/common.schemas';
import { webhookSecretSchema } from '../schemas/budget.schemas';
import { defineRoute } from './route-definition';

/** The org's spend-alert webhook secret (docs/limits.md, "Spend alerts"). */
export const ORG_WEBHOOK_SECRET_ROUTES = [
  defineRoute({
    operationId: 'rotateWebhookSecret',
    method: 'post',
    path: '/admin/orgs/:orgId/limits/webhook-secret',
    tag: 'limits',
    summary: 'Rotate the secret that signs the org’s spend alerts and return the new one (shown this once)',
    description:
      'Spend alerts carry `X-NavPlane-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret’s UTF-8 ' +
      'bytes>`. The old secret stops signing at once, on every gateway. Stored encrypted under the master key; audited ' +
      'as `limits.webhook_secret.rotate` (never the secret). See docs/limits.md.',
    access: ORG_ADMIN,
    params: orgParams,
    status: 200,
    response: webhookSecretSchema,
    errors: [404],
    handle: async ({ params, actor, deps }) => deps.operations.budgets.rotateWebhookSecret(params.orgId, actor),
  }),
];
