import { LIMIT_DOCUMENT_SCHEMA } from '@navplane/limits';
import { z } from 'zod';

const { $schema: _dialect, ...documentInput } = z.toJSONSchema(LIMIT_DOCUMENT_SCHEMA, { io: 'input' });

/**
 * `PUT /admin/orgs/:orgId/limits` body: the whole limits document. Described in OpenAPI as the document's schema, but
 * accepted as any JSON here: the operation validates it whole (`parseLimitDocument`), so a 400 lists every problem with
 * its path instead of stopping at the first one.
 */
export const putLimitsBody = z.unknown().meta(documentInput);

/**
 * The answer of `GET` and `PUT /admin/orgs/:orgId/limits`: the stored document (normalized: an org scope without id,
 * thresholds ascending). The answer's own schema, apart from the body's, so the PUT's answer can carry more than the
 * document (docs/limits.md) without changing what the PUT accepts.
 */
export const limitsAnswerSchema = LIMIT_DOCUMENT_SCHEMA;

/**
 * The answer of `PUT /admin/orgs/:orgId/limits`: the stored document and, the first time a document setting alerts is
 * stored for the org, the `webhookSecret` that signs its spend alerts (docs/limits.md, "Spend alerts").
 */
export const putLimitsAnswerSchema = z.object({
  ...LIMIT_DOCUMENT_SCHEMA.shape,
  webhookSecret: z
    .string()
    .optional()
    .describe(
      'Only in the answer to the PUT that first sets alerts for the org: the secret that signs its spend alerts ' +
        '(`X-NavPlane-Signature`), shown this once; `POST …/limits/webhook-secret` rotates it',
    ),
});
