import type { Kysely, Selectable } from 'kysely';
import type { DB, WorkspacesTable } from '../schema/schema';

/** A workspace: a grouping of keys and traces inside an org. */
export interface Workspace {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
}

/** What creating a workspace needs. */
export type NewWorkspace = Workspace;

/** Workspaces of orgs. */
export interface WorkspacesRepository {
  /** Stores a new workspace (its org must exist) and returns it. */
  create(workspace: NewWorkspace): Promise<Workspace>;
  /** The workspace, or undefined. */
  findById(id: string): Promise<Workspace | undefined>;
  /** The org's workspaces, oldest first. */
  listByOrg(orgId: string): Promise<Workspace[]>;
}

const toWorkspace = (row: Selectable<WorkspacesTable>): Workspace => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  createdAt: row.created_at,
});

/** The workspaces repository over `db` (a Kysely instance or transaction). */
export function createWorkspacesRepository(db: Kysely<DB>): WorkspacesRepository {
  return {
    async create(workspace) {
      const row = { id: workspace.id, org_id: workspace.orgId, name: workspace.name, created_at: workspace.createdAt };
      await db.insertInto('workspaces').values(row).execute();
      return toWorkspace(row);
    },
    async findById(id) {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWorkspace(row);
    },
    async listByOrg(orgId) {
      const rows = await db.selectFrom('workspaces').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toWorkspace);
    },
  };
}
