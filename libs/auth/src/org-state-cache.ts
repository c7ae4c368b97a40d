import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type ChangeFeed, type Repositories } from '@navplane/storage';

/** Options of createOrgStateCache. */
export interface OrgStateCacheOptions {
  /** Only `orgs` is used (listEnabledStates at start and on resync, findById per change). */
  repos: Pick<Repositories, 'orgs'>;
  /** Where `org.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); the org then reads as unknown. */
  onError?: (error: Error) => void;
}

/** Every org's kill-switch state in memory, kept current by the change feed. */
export interface OrgStateCache {
  /** Loads every org's state (`listEnabledStates`); rejects when the database cannot be read. Idempotent. */
  start(): Promise<void>;
  /** Stops listening to the change feed. */
  close(): Promise<void>;
  /** The org's state from memory: true/false, or undefined when unknown (not loaded, or a refresh failed). */
  isEnabled(orgId: string): boolean | undefined;
  /** Reads the org from the database now and caches it (false when there is no such org); rejects when unreachable. */
  load(orgId: string): Promise<boolean>;
  /** How many orgs are held. */
  readonly size: number;
}

interface OrgState {
  enabled: boolean | undefined;
  // Reads are numbered when they start: a slow read never overwrites what a later one found.
  ticket: number;
}

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane org state cache: ${error.message}`);

/**
 * The org kill-switch cache (default onError process.emitWarning): loaded once by `start()`, then each
 * `org.changed` re-reads that org and a resync reloads all. `isEnabled` is synchronous, for per-request use.
 * When a refresh fails the org becomes unknown, so callers fall back to `load()` and fail closed.
 */
export function createOrgStateCache(options: OrgStateCacheOptions): OrgStateCache {
  const { repos } = options;
  const onError = options.onError ?? defaultOnError;
  const states = new Map<string, OrgState>();
  let lastTicket = 0;
  let starting: Promise<void> | undefined;

  function apply(orgId: string, enabled: boolean | undefined, ticket: number): void {
    const current = states.get(orgId);
    if (current === undefined || current.ticket < ticket) states.set(orgId, { enabled, ticket });
  }

  async function load(orgId: string): Promise<boolean> {
    const ticket = (lastTicket += 1);
    try {
      const org = await repos.orgs.findById(orgId);
      // No such org reads as disabled: a key of a missing org must not work.
      const enabled = org?.enabled ?? false;
      apply(orgId, enabled, ticket);
      return enabled;
    } catch (error) {
      // We were told this org changed and cannot learn how: forget it, so callers re-read (or fail closed).
      apply(orgId, undefined, ticket);
      throw error;
    }
  }

  async function loadAll(): Promise<void> {
    const ticket = (lastTicket += 1);
    let rows;
    try {
      rows = await repos.orgs.listEnabledStates();
    } catch (error) {
      for (const orgId of states.keys()) apply(orgId, undefined, ticket);
      throw error;
    }
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      apply(row.id, row.enabled, ticket);
    }
    for (const [orgId, state] of states) if (!seen.has(orgId) && state.ticket < ticket) states.delete(orgId);
  }

  const report = (error: unknown) => onError(error instanceof Error ? error : new Error(String(error)));
  const unsubscribers = [
    options.changeFeed.subscribe(CHANGE_TOPICS.orgChanged, (payload) => {
      const orgId = payload['orgId'];
      if (typeof orgId === 'string') load(orgId).catch(report);
      else loadAll().catch(report);
    }),
    options.changeFeed.subscribe(CHANGE_FEED_RESYNC_TOPIC, () => {
      loadAll().catch(report);
    }),
  ];

  return {
    start() {
      starting ??= loadAll().catch((error: unknown) => {
        starting = undefined; // allow a retry once the database is back
        throw error;
      });
      return starting;
    },
    async close() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    },
    isEnabled: (orgId) => states.get(orgId)?.enabled,
    load,
    get size() {
      return states.size;
    },
  };
}
