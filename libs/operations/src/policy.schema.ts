import { DETECTOR_IDS } from '@navplane/policy';
import { POLICY_MODES, POLICY_SCOPE_TYPES } from '@navplane/storage';
import { z } from 'zod';

export { POLICY_MODES, POLICY_SCOPE_TYPES };

/** The detectors a policy can name (docs/policy.md); a policy without `detectors` uses every one. */
export const POLICY_DETECTORS = DETECTOR_IDS;

/** Most policies one org may hold. */
export const MAX_POLICIES = 100;

/** One policy as written: `scope.value` is required except for `org`, where it must be absent (or null). */
export const policyDocumentSchema = z.strictObject({
  scope: z
    .strictObject({
      type: z.enum(POLICY_SCOPE_TYPES),
      value: z.string().trim().min(1).max(200).nullable().optional(),
    })
    .check((ctx) => {
      const { type, value } = ctx.value;
      const hasValue = value !== undefined && value !== null;
      if (type === 'org' && hasValue) {
        ctx.issues.push({ code: 'custom', input: value, path: ['value'], message: 'must be absent for an org-wide policy' });
      } else if (type !== 'org' && !hasValue) {
        ctx.issues.push({ code: 'custom', input: value, path: ['value'], message: `is required for a ${type} policy` });
      }
    }),
  mode: z.enum(POLICY_MODES),
  detectors: z.array(z.enum(POLICY_DETECTORS)).min(1).optional(),
});

/** A policy as written (input of `policies.put`). */
export type PolicyInput = z.input<typeof policyDocumentSchema>;

/** An org's whole policy set: at most 100, one per scope. */
export const policyListSchema = z
  .array(policyDocumentSchema)
  .max(MAX_POLICIES)
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.forEach((policy, index) => {
      const key = `${policy.scope.type}\u0000${policy.scope.value ?? ''}`;
      if (seen.has(key)) {
        ctx.issues.push({ code: 'custom', input: policy.scope, path: [index, 'scope'], message: 'duplicate scope: one policy per scope' });
      }
      seen.add(key);
    });
  });

/** A stored policy as the admin API and the CLI show it. */
export interface PolicyDocument {
  id: string;
  /** `value` is absent for the org-wide policy. */
  scope: { type: (typeof POLICY_SCOPE_TYPES)[number]; value?: string };
  mode: (typeof POLICY_MODES)[number];
  /** Absent: every detector. */
  detectors?: (typeof POLICY_DETECTORS)[number][];
  createdAt: string;
  updatedAt: string;
}
