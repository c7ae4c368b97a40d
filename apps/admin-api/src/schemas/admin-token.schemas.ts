import { z } from 'zod';
import { pathId, timestamp } from './common.schemas';

/** A platform-admin token as listings show it (never the token or its hash). */
export const adminTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayPrefix: z.string(),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
});

/** `POST /admin/admin-tokens` response. */
export const createdAdminTokenSchema = adminTokenSchema.extend({
  token: z.string().describe('The admin token (`npa_…`): shown this once, store it now'),
});

/** `POST /admin/admin-tokens` body. */
export const createAdminTokenBody = z.strictObject({ name: z.string().trim().min(1).max(200) });

/** `:tokenId` path parameter. */
export const adminTokenParams = z.strictObject({ tokenId: pathId('Admin token id (`adm_…`)') });
