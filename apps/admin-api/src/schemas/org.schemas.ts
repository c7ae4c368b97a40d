import { z } from 'zod';
import { timestamp } from './common.schemas';

/** An org as the admin API shows it. */
export const orgSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean().describe('The kill switch: false refuses every gateway request of the org (403 org_disabled)'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** `POST /admin/orgs` body. */
export const createOrgBody = z.strictObject({ name: z.string().trim().min(1).max(200) });

/** `PUT /admin/orgs/:orgId/enabled` body. */
export const setEnabledBody = z.strictObject({ enabled: z.boolean() });

/** A workspace. */
export const workspaceSchema = z.object({ id: z.string(), orgId: z.string(), name: z.string(), createdAt: timestamp });

/** `POST /admin/orgs/:orgId/workspaces` body. */
export const createWorkspaceBody = z.strictObject({ name: z.string().trim().min(1).max(200) });
