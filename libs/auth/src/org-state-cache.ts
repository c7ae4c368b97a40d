import { LoadingCache } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, orgIdOf, type ChangeFeed, type Repositories } from '@navplane/storage';

/** Options of createOrgStateCache. */
export interface OrgStateCacheOptions {
  /** Only `orgs` is used (listEnabledStates at start and on resync, findById per change). */
  repos: Pick<Repositories, 'orgs'>;
  /** Where `org.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); the org then reads as unknown. */
  onError?: (error: Error) => void;
  /** Most orgs held (default 100000); past it the least recently used is read again when next needed. */
  maxEntries?: number;
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

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane org state cache: ${error.message}`);

/**
 * The org kill-switch cache (defaults: onError process.emitWarning, maxEntries 100000), a `LoadingCache` named
 * `org_states`: loaded once by `start()`, then each `org.changed` forgets that org at once and re-reads it, and a
 * resync reloads all. `isEnabled` is synchronous, for per-request use. While an org is unknown (being re-read, or
 * the re-read failed) callers fall back to `load()`, which shares the re-read, and fail closed when it fails.
 */
export function createOrgStateCache(options: OrgStateCacheOptions): OrgStateCache {
  const { repos } = options;
  const states = new LoadingCache<string, boolean>({
    name: 'org_states',
    maxEntries: options.maxEntries ?? 100_000,
    // No such org reads as disabled: a key of a missing org must not work.
    load: async (orgId) => (await repos.orgs.findById(orgId))?.enabled ?? false,
    loadAll: async () => (await repos.orgs.listEnabledStates()).map((row) => [row.id, row.enabled] as const),
    onError: options.onError ?? defaultOnError,
  });
  // An org.changed forgets that org at once: from the event on no request is judged by its old state.
  states.followSnapshot(options.changeFeed, { changed: CHANGE_TOPICS.orgChanged, resync: CHANGE_FEED_RESYNC_TOPIC, keyOf: orgIdOf });

  return {
    start: () => states.start(),
    close() {
      states.close();
      return Promise.resolve();
    },
    isEnabled: (orgId) => states.peek(orgId),
    load: async (orgId) => (await states.load(orgId)) ?? false,
    get size() {
      return states.size;
    },
  };
}
