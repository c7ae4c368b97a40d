import { POLICY_DETECTORS, POLICY_MODES, POLICY_SCOPE_TYPES, policyListSchema } from '@navplane/operations';
import { z } from 'zod';
import { timestamp } from './common.schemas';

/** A stored policy. */
export const policySchema = z.object({
  id: z.string(),
  scope: z.object({
    type: z.enum(POLICY_SCOPE_TYPES),
    value: z.string().optional().describe('Absent for the org-wide policy'),
  }),
  mode: z.enum(POLICY_MODES),
  detectors: z.array(z.enum(POLICY_DETECTORS)).optional().describe('Absent: every detector'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** `PUT /admin/orgs/:orgId/policies` body: the whole set (replaces every policy of the org). */
export const putPoliciesBody = z.strictObject({ policies: policyListSchema });

/** `POST /admin/orgs/:orgId/policies/salt/rotate` response. */
export const saltRotationSchema = z.object({ rotatedAt: timestamp });
