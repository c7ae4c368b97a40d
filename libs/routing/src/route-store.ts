import {
  CHANGE_TOPICS,
  createOrgDocumentStore,
  deepFreeze,
  type ChangeFeed,
  type OrgDocumentStore,
  type RoutesRepository,
} from '@navplane/storage';
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

/** Every org's routing table in memory, kept current by the change feed: no query on a warm request (`{ routes: [] }` when none). */
export type RouteStore = OrgDocumentStore<RouteDocument>;

/** The table of an org that has none. */
export const EMPTY_ROUTE_DOCUMENT: RouteDocument = deepFreeze({ routes: [] });

/**
 * The routing-table cache (defaults: onError process.emitWarning, maxEntries 100000): the org-document store of
 * `@navplane/storage` named `routes`, following `routes.changed`, so every instance serves a new table within the change
 * feed's bound (from the event on, no request is routed by the old one).
 */
export function createRouteStore({ routes, ...options }: RouteStoreOptions): RouteStore {
  return createOrgDocumentStore<RouteDocument>(
    {
      name: 'routes',
      changed: CHANGE_TOPICS.routesChanged,
      empty: EMPTY_ROUTE_DOCUMENT,
      read: readStoredRouteDocument,
      isEmpty: (document) => document.routes.length === 0,
    },
    { repository: routes, ...options },
  );
}
