import { appendAudit, type AuditActor } from '@navplane/auth';
import { err, newId, ok, toIso, type AppError, type Result } from '@navplane/core';
import { PLACEHOLDER_SALT_SECRET, policyDetectors } from '@navplane/policy';
import { CHANGE_TOPICS, type JsonObject, type NewPolicy, type Policy } from '@navplane/storage';
import { invalidRequestFromZod } from './invalid-request';
import { invalid, orgExists, orgNotFound, type OperationContext } from './operation-context';
import { commitOrgChange } from './org-document.operations';
import { policyListSchema, type PolicyDocument, type PolicyInput } from './policy.schema';
import { isSupportedProvider, unsupportedProvider } from './provider-keys.operations';

/**
 * An org's redaction/guardrail policies (docs/policy.md), stored and replaced as a whole, audited, and announced to
 * every gateway (which enforces them), plus the rotation of the org's placeholder salt.
 */
export interface PolicyOperations {
  /** The org's policies ordered by scope type then value. Errors: `not_found` (org). */
  get(orgId: string): Promise<Result<PolicyDocument[], AppError>>;
  /**
   * Replaces the org's policies (audit `policy.replace`, publishes `policy.changed`). Errors: `not_found` (org),
   * `invalid_request` (`param` like `policies[0].scope.value`), `internal_error` (retryable: not announced).
   */
  put(orgId: string, policies: readonly PolicyInput[], actor: AuditActor): Promise<Result<PolicyDocument[], AppError>>;
  /**
   * Replaces the org's placeholder salt with fresh random bytes (audit `policy.salt_rotate`): placeholders made from
   * now on differ from earlier ones; those already stored stay as they are. Errors: `not_found` (org).
   */
  rotateSalt(orgId: string, actor: AuditActor): Promise<Result<{ rotatedAt: string }, AppError>>;
}

/** The stored policy as shown to people. */
export function toPolicyDocument(policy: Policy): PolicyDocument {
  const detectors = policyDetectors(policy.config);
  return {
    id: policy.id,
    scope: policy.scopeValue === null ? { type: policy.scopeType } : { type: policy.scopeType, value: policy.scopeValue },
    mode: policy.mode,
    ...(detectors !== undefined ? { detectors } : {}),
    createdAt: policy.createdAt,
    updatedAt: policy.updatedAt,
  };
}

/** The policy use cases over `context`. */
export function createPolicyOperations(context: OperationContext): PolicyOperations {
  const { repos, clock } = context;

  /** What zod cannot know: the scope's target must exist in this org. */
  async function checkTargets(orgId: string, policies: readonly PolicyInput[]): Promise<Result<void, AppError>> {
    for (const [index, policy] of policies.entries()) {
      const value = policy.scope.value ?? '';
      const param = `policies[${index}].scope.value`;
      switch (policy.scope.type) {
        case 'workspace': {
          const workspace = await repos.workspaces.findById(value);
          if (workspace?.orgId !== orgId) return invalid(param, `${param}: no such workspace in this org`);
          break;
        }
        case 'key': {
          const key = await repos.gatewayKeys.findById(value);
          if (key?.orgId !== orgId) return invalid(param, `${param}: no such key in this org`);
          break;
        }
        case 'provider':
          if (!isSupportedProvider(context, value)) return unsupportedProvider(context, param);
          break;
        case 'route':
          if (!value.startsWith('/')) return invalid(param, `${param} must be a path starting with /`);
          break;
        default:
          break;
      }
    }
    return ok(undefined);
  }

  return {
    async get(orgId) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      return ok((await repos.policies.listByOrg(orgId)).map(toPolicyDocument));
    },

    async rotateSalt(orgId, actor) {
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const nowMs = clock.nowMs();
      await context.vault.rotateOrgSecret(orgId, PLACEHOLDER_SALT_SECRET);
      await appendAudit(repos, actor, { action: 'policy.salt_rotate', orgId, targetType: 'org', targetId: orgId, details: {} }, nowMs);
      return ok({ rotatedAt: toIso(nowMs) });
    },

    async put(orgId, input, actor) {
      const parsed = policyListSchema.safeParse(input);
      if (!parsed.success) return err(invalidRequestFromZod(parsed.error, input, ['policies']));
      if (!(await orgExists(context, orgId))) return orgNotFound();
      const targets = await checkTargets(orgId, parsed.data);
      if (!targets.ok) return targets;

      const nowMs = clock.nowMs();
      const rows = parsed.data.map((policy): NewPolicy => {
        const config: JsonObject = {};
        if (policy.detectors !== undefined) config['detectors'] = [...new Set(policy.detectors)];
        return {
          id: newId('policy', nowMs),
          scopeType: policy.scope.type,
          scopeValue: policy.scope.type === 'org' ? null : (policy.scope.value ?? null),
          mode: policy.mode,
          config,
        };
      });
      const stored = await commitOrgChange(context, orgId, actor, nowMs, {
        write: (trx, at) => trx.policies.replaceForOrg(orgId, rows, at),
        action: 'policy.replace',
        details: {
          count: rows.length,
          policies: rows.map((row) => ({ scopeType: row.scopeType, scopeValue: row.scopeValue, mode: row.mode })),
        },
        changed: CHANGE_TOPICS.policyChanged,
        subject: "The org's policies were saved",
      });
      return stored.ok ? ok(stored.value.map(toPolicyDocument)) : stored;
    },
  };
}
