import { z } from 'zod';
import { limitQuery, timestamp } from './common.schemas';

/** One audit record (never a secret). */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: timestamp,
  actorType: z.string().describe('`bootstrap`, `admin_token`, `gateway_key`, `cli`'),
  actorId: z.string().nullable(),
  orgId: z.string().nullable().describe('Null for platform actions (admin tokens)'),
  action: z.string().describe('e.g. `org.disable`, `key.rotate`'),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

/** `GET /admin/audit` query. */
export const auditQuery = z.strictObject({
  orgId: z.string().min(1).optional().describe("Only this org's records (an org key: its own org, the default)"),
  limit: limitQuery(100),
  before: z.string().min(1).optional().describe('Cursor: `nextCursor` of the previous page'),
});
