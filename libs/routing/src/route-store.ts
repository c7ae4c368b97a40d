import { LoadingCache } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, orgIdOf, type ChangeFeed, type RoutesRepository } from '@navplane/storage';
import { readStoredRouteDocument, type RouteDocument } from './route-document';

/** Options of createRouteStore. */
export interface RouteStoreOptions {
  /** `listAll` at start and on resync, `findByOrg` per change or miss. */
  routes: Pick<RoutesRepository, 'listAll' | 'findByOrg'>;
  /** Where `routes.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); that org then reads as unknown until loaded again. */
  onError?: (error: Error) => void;
  /** Most orgs held (default 100000); past it, orgs not held are read again when next needed. */
  maxEntries?: number;
}

/** Every org's routing table in memory, kept current by the change feed: no query on a warm request. */
export interface RouteStore {
  /** Loads every org's table; rejects when the database cannot be read (call again to retry). Idempotent. */
  start(): Promise<void>;
  /** Stops listening to the change feed. */
  close(): Promise<void>;
  /**
   * The org's table from memory, synchronously (`{ routes: [] }` when it has none), or undefined when unknown: not
   * loaded yet, evicted, or being re-read after a change. Callers then `get()` (or `load()`).
   */
  peek(orgId: string): RouteDocument | undefined;
  /** The org's table: from memory when held (no query), else read now (sharing a read already running) and held. */
  get(orgId: string): Promise<RouteDocument>;
  /** Reads the org's table now and holds it; rejects when the database is unreachable. */
  load(orgId: string): Promise<RouteDocument>;
}

/** Freezes a parsed document all the way down: the cache hands the same object to every request. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The table of an org that has none. */
export const EMPTY_ROUTE_DOCUMENT: RouteDocument = deepFreeze({ routes: [] });

const decode = (stored: unknown): RouteDocument => {
  const document = readStoredRouteDocument(stored);
  return document.routes.length === 0 ? EMPTY_ROUTE_DOCUMENT : deepFreeze(document);
};

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane route store: ${error.message}`);

/**
 * The routing-table cache (defaults: onError process.emitWarning, maxEntries 100000), a `LoadingCache` named `routes`:
 * `start()` loads every org's table, each `routes.changed` forgets that org at once and re-reads it (so every instance
 * serves the new table within the change feed's bound), and a resync reloads all. An org the last full load did not
 * list has no routes, as long as that load is whole (nothing evicted since). Reads are versioned so a slow read never
 * overwrites a later one.
 */
export function createRouteStore(options: RouteStoreOptions): RouteStore {
  const { routes } = options;
  const tables = new LoadingCache<string, RouteDocument>({
    name: 'routes',
    maxEntries: options.maxEntries ?? 100_000,
    unlisted: EMPTY_ROUTE_DOCUMENT,
    load: async (orgId) => {
      const row = await routes.findByOrg(orgId);
      return row === undefined ? EMPTY_ROUTE_DOCUMENT : decode(row.document);
    },
    loadAll: async () => (await routes.listAll()).map((row) => [row.orgId, decode(row.document)] as const),
    onError: options.onError ?? defaultOnError,
  });
  // A routes.changed forgets that org's table at once: from the event on no request is routed by the old one.
  tables.followSnapshot(options.changeFeed, { changed: CHANGE_TOPICS.routesChanged, resync: CHANGE_FEED_RESYNC_TOPIC, keyOf: orgIdOf });

  return {
    start: () => tables.start(),
    close() {
      tables.close();
      return Promise.resolve();
    },
    peek: (orgId) => tables.peek(orgId),
    get: async (orgId) => (await tables.get(orgId)) ?? EMPTY_ROUTE_DOCUMENT,
    load: async (orgId) => (await tables.load(orgId)) ?? EMPTY_ROUTE_DOCUMENT,
  };
}
