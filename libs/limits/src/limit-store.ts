import {
  CHANGE_TOPICS,
  createOrgDocumentStore,
  deepFreeze,
  type ChangeFeed,
  type LimitsRepository,
  type OrgDocumentStore,
} from '@navplane/storage';
import { readStoredLimitDocument, type LimitDocument, type LimitSource } from './limit-document';

/** Options of createLimitStore. */
export interface LimitStoreOptions {
  /** `listAll` at start and on resync, `findByOrg` per change or miss. */
  limits: Pick<LimitsRepository, 'listAll' | 'findByOrg'>;
  /** Where `limits.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); that org then reads as unknown until loaded again. */
  onError?: (error: Error) => void;
  /** Most orgs held (default 100000); past it, orgs not held are read again when next needed. */
  maxEntries?: number;
}

/** Every org's limits in memory, kept current by the change feed: no query on a warm request (`{ limits: [] }` when none). */
export interface LimitStore extends LimitSource, OrgDocumentStore<LimitDocument> {}

/** The document of an org that has none. */
export const EMPTY_LIMIT_DOCUMENT: LimitDocument = deepFreeze({ limits: [] });

/**
 * The limits cache (defaults: onError process.emitWarning, maxEntries 100000): the org-document store of `@navplane/storage`
 * named `limits`, following `limits.changed`, so every instance enforces a new document within the change feed's bound
 * (from the event on, no request is counted under the old one).
 */
export function createLimitStore({ limits, ...options }: LimitStoreOptions): LimitStore {
  return createOrgDocumentStore<LimitDocument>(
    {
      name: 'limits',
      changed: CHANGE_TOPICS.limitsChanged,
      empty: EMPTY_LIMIT_DOCUMENT,
      read: readStoredLimitDocument,
      isEmpty: (document) => document.limits.length === 0,
    },
    { repository: limits, ...options },
  );
}
