import { hasControlCharacter, MAX_ALLOWED_MODELS, MAX_MODEL_NAME_LENGTH, SCOPES } from '@navplane/auth';
import { z } from 'zod';
import { timestamp } from './common.schemas';

/** A NavPlane key as listings show it: never the key or its hash. */
export const keyRecordSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  workspaceId: z.string().nullable(),
  name: z.string(),
  displayPrefix: z.string().describe('The start of the key, to recognise it (`np_…`)'),
  // Stored scopes are shown as stored (a newer version may know more); requests are checked against SCOPES.
  scopes: z.array(z.string()).describe(`Scopes: ${SCOPES.join(', ')}`),
  status: z.enum(['active', 'rotating', 'expired', 'revoked']).describe('rotating: replaced, still valid until graceEndsAt'),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable().describe('Updated at most once a minute'),
  rotatedFromId: z.string().nullable(),
  graceEndsAt: timestamp.nullable(),
  models: z
    .array(z.string())
    .nullable()
    .describe('The model names the key may request, matched exactly (route names included); null = any model'),
});

const modelName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_MODEL_NAME_LENGTH)
  .refine((name) => !hasControlCharacter(name), 'a model name may not contain control characters');

/** The NavPlane key text: in the creation/rotation response only. */
const shownOnce = z.string().describe('The NavPlane key (`np_…`): shown this once, store it now');

/** `POST /admin/orgs/:orgId/keys` response. */
export const issuedKeySchema = keyRecordSchema.extend({ key: shownOnce });

/** `POST /admin/orgs/:orgId/keys/:keyId/rotate` response: the new key, and the old one's record. */
export const rotatedKeySchema = keyRecordSchema.extend({ key: shownOnce, previous: keyRecordSchema });

/** `POST /admin/orgs/:orgId/keys` body. */
export const issueKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(SCOPES)).min(1).optional().describe('Default ["proxy"]'),
  workspaceId: z.string().min(1).nullable().optional().describe('A workspace of the same org'),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional().describe('Default: never expires'),
  models: z
    .array(modelName)
    .min(1)
    .max(MAX_ALLOWED_MODELS)
    .nullable()
    .optional()
    .describe(
      `The model names this key may request (1-${MAX_ALLOWED_MODELS}, trimmed, duplicates dropped), matched exactly and case-sensitively against the name the client sends; absent or null = any model`,
    ),
});

/** `POST /admin/orgs/:orgId/keys/:keyId/rotate` body (optional). */
export const rotateKeyBody = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .optional()
    .describe('How long the old key keeps working (default 0: revoked at once; at most 30 days)'),
});
