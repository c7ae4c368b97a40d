import { createAdminTokenService, createGatewayKeyService } from '@navplane/auth';
import { systemClock, type Clock } from '@navplane/core';
import { createEgressGuard, parseEgressAllowlist, type EgressGuard } from '@navplane/egress';
import { BUILT_IN_ADAPTERS, createOpenAICompatibleAdapter, type ProviderRegistry } from '@navplane/providers';
import type { ChangeFeed, Repositories } from '@navplane/storage';
import type { Vault } from '@navplane/vault';
import { createAdminTokenOperations, type AdminTokenOperations } from './admin-tokens.operations';
import { createAuditOperations, type AuditOperations } from './audit.operations';
import { createBudgetOperations, type BudgetOperations, type BudgetOperationsOptions } from './budgets.operations';
import { createKeyOperations, type KeyOperations } from './keys.operations';
import { createLimitOperations, type LimitOperations } from './limits.operations';
import type { OperationContext } from './operation-context';
import { createOrgOperations, type OrgOperations } from './orgs.operations';
import { createPolicyOperations, type PolicyOperations } from './policies.operations';
import { createProviderKeyOperations, SUPPORTED_PROVIDERS, type ProviderKeyOperations } from './provider-keys.operations';
import { createRouteOperations, type RouteOperations } from './routes.operations';
import { createWorkspaceOperations, type WorkspaceOperations } from './workspaces.operations';

/** What the operations are built from. */
export interface OperationsOptions {
  /** Every repository (createRepositories(database)); mutations use its `transaction`. */
  repos: Repositories;
  /** Provider keys (runtime.vault): stores, deletes and announces `provider_key.changed`. */
  vault: Pick<
    Vault,
    'storeProviderKey' | 'deleteProviderKey' | 'deleteProviderKeys' | 'rotateOrgSecret' | 'getOrCreateOrgSecret' | 'getProviderKey'
  >;
  /** Where changes are announced after commit (subscribed for the admin-token verification cache). */
  changeFeed: Pick<ChangeFeed, 'publish' | 'subscribe'>;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** NAVPLANE_ADMIN_TOKEN, accepted by `adminTokens.verify` (default none; at least 16 characters). */
  bootstrapAdminToken?: string;
  /** A change could not be announced after a create, which still succeeded (default: process.emitWarning). */
  onError?: (error: Error) => void;
  /**
   * The ids of the operator-defined providers (the config file's `providers`, docs/configuration.md): keys can be
   * stored for them and policies scoped to them, besides the built-in providers (default none).
   */
  operatorProviderIds?: readonly string[];
  /**
   * The egress rules for tenant-supplied base URLs (docs/security-egress.md): default, no allowlist and the system
   * resolver. The apps pass `NAVPLANE_UPSTREAM_ALLOWLIST`'s (`createEgressGuard` of `@navplane/egress`).
   */
  egress?: EgressGuard;
  /**
   * The provider registry of the process (`createProviderRegistry` over the config): routing tables are validated
   * against its adapters' API formats. Default: the built-in adapters, and each of `operatorProviderIds` as the
   * OpenAI-compatible provider it is.
   */
  providerRegistry?: Pick<ProviderRegistry, 'adapter'>;
  /** Budgets: Redis for the reservations of every instance (NAVPLANE_REDIS_URL; default none visible). */
  budgets?: BudgetOperationsOptions;
}

/**
 * The use cases shared by the admin API and the CLI, so both write the same audit records and publish the same
 * change events. Every method resolves to a `Result<T, AppError>` (codes `not_found`, `invalid_request` with
 * `details.param`, `conflict`, and `internal_error` when a stored change could not be announced); it rejects
 * only when the database fails.
 */
export interface Operations {
  readonly orgs: OrgOperations;
  readonly workspaces: WorkspaceOperations;
  readonly keys: KeyOperations;
  readonly providerKeys: ProviderKeyOperations;
  readonly adminTokens: AdminTokenOperations;
  readonly policies: PolicyOperations;
  readonly routes: RouteOperations;
  readonly limits: LimitOperations;
  readonly audit: AuditOperations;
  /** Budgets and the spend-alert webhook secret. */
  readonly budgets: BudgetOperations;
  /** Unsubscribes from the change feed and writes pending admin-token `last_used_at` marks. */
  close(): Promise<void>;
}

/** No allowlist, the system resolver: every tenant URL must be https and public. */
function defaultEgress(): EgressGuard {
  const allowlist = parseEgressAllowlist('');
  if (!allowlist.ok) throw new Error(allowlist.error);
  return createEgressGuard({ allowlist: allowlist.value });
}

/** The registry's adapters without a registry: the built-in ones, and the operator-defined OpenAI-compatible ones. */
function defaultAdapters(operatorProviderIds: readonly string[]): Pick<ProviderRegistry, 'adapter'> {
  const adapters = new Map(BUILT_IN_ADAPTERS.map((adapter) => [adapter.id, adapter]));
  for (const id of operatorProviderIds) if (!adapters.has(id)) adapters.set(id, createOpenAICompatibleAdapter(id, { kind: 'bearer' }));
  return { adapter: (id) => adapters.get(id) };
}

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane operations: ${error.message}`);

/**
 * The operations over `repos`, `vault` and `changeFeed` (defaults: system clock, no bootstrap token, onError
 * process.emitWarning). Throws at creation when `bootstrapAdminToken` is shorter than 16 characters.
 */
export function createOperations(options: OperationsOptions): Operations {
  const clock = options.clock ?? systemClock;
  const { repos, changeFeed } = options;
  const registry = options.providerRegistry ?? defaultAdapters(options.operatorProviderIds ?? []);
  const context: OperationContext = {
    repos,
    vault: options.vault,
    changeFeed,
    clock,
    gatewayKeys: createGatewayKeyService({ repos, changeFeed, clock }),
    adminTokens: createAdminTokenService({ repos, changeFeed, clock, bootstrapToken: options.bootstrapAdminToken }),
    onError: options.onError ?? defaultOnError,
    providerIds: Object.freeze([...SUPPORTED_PROVIDERS, ...(options.operatorProviderIds ?? [])]),
    egress: options.egress ?? defaultEgress(),
    apiFormat: (id) => registry.adapter(id)?.apiFormat,
  };
  return {
    orgs: createOrgOperations(context),
    workspaces: createWorkspaceOperations(context),
    keys: createKeyOperations(context),
    providerKeys: createProviderKeyOperations(context),
    adminTokens: createAdminTokenOperations(context),
    policies: createPolicyOperations(context),
    routes: createRouteOperations(context),
    limits: createLimitOperations(context),
    audit: createAuditOperations(context),
    budgets: createBudgetOperations(context, options.budgets),
    close: () => context.adminTokens.close(),
  };
}
