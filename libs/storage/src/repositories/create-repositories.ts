import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { Database } from '../database/open-database';
import type { DB } from '../schema/schema';
import { createAdminTokensRepository, type AdminTokensRepository } from './admin-tokens.repository';
import { createAuditLogRepository, type AuditLogRepository } from './audit-log.repository';
import { createBudgetsRepository, type BudgetsRepository } from './budgets.repository';
import { createGatewayKeysRepository, type GatewayKeysRepository } from './gateway-keys.repository';
import { createLimitsRepository, type LimitsRepository } from './limits.repository';
import { createOrgsRepository, type OrgsRepository } from './orgs.repository';
import { createPoliciesRepository, type PoliciesRepository } from './policies.repository';
import { createProviderKeysRepository, type ProviderKeysRepository } from './provider-keys.repository';
import { createRoutesRepository, type RoutesRepository } from './routes.repository';
import { createTraceForksRepository, type TraceForksRepository } from './trace-forks.repository';
import { createTracesRepository, type TracesRepository } from './traces.repository';
import { createWorkspacesRepository, type WorkspacesRepository } from './workspaces.repository';

/** Every repository, over one database or one transaction. */
export interface Repositories {
  readonly orgs: OrgsRepository;
  readonly workspaces: WorkspacesRepository;
  readonly gatewayKeys: GatewayKeysRepository;
  readonly providerKeys: ProviderKeysRepository;
  readonly adminTokens: AdminTokensRepository;
  readonly policies: PoliciesRepository;
  readonly routes: RoutesRepository;
  readonly limits: LimitsRepository;
  readonly budgets: BudgetsRepository;
  readonly traces: TracesRepository;
  readonly traceForks: TraceForksRepository;
  readonly auditLog: AuditLogRepository;
  /**
   * Runs `work` with repositories bound to one transaction (e.g. a mutation and its audit record), committing
   * when it resolves and rolling back when it rejects. Inside a transaction, this reuses it.
   */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}

function bind(db: Kysely<DB>, capabilities: DialectCapabilities): Repositories {
  const repositories: Repositories = {
    orgs: createOrgsRepository(db, capabilities),
    workspaces: createWorkspacesRepository(db),
    gatewayKeys: createGatewayKeysRepository(db, capabilities),
    providerKeys: createProviderKeysRepository(db),
    adminTokens: createAdminTokensRepository(db),
    policies: createPoliciesRepository(db, capabilities),
    routes: createRoutesRepository(db, capabilities),
    limits: createLimitsRepository(db, capabilities),
    budgets: createBudgetsRepository(db),
    traces: createTracesRepository(db, capabilities),
    traceForks: createTraceForksRepository(db),
    auditLog: createAuditLogRepository(db, capabilities),
    transaction: (work) => (db.isTransaction ? work(repositories) : db.transaction().execute((trx) => work(bind(trx, capabilities)))),
  };
  return repositories;
}

/** Every repository over `database` (create once at start-up and share). */
export function createRepositories(database: Database): Repositories {
  return bind(database.db, database.capabilities);
}
