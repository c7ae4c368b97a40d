import { LoadingCache } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, orgIdOf, type ChangeFeed, type LimitsRepository } from '@navplane/storage';
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

/** Every org's limits in memory, kept current by the change feed: no query on a warm request. */
export interface LimitStore extends LimitSource {
  /** Loads every org's document; rejects when the database cannot be read (call again to retry). Idempotent. */
  start(): Promise<void>;
  /** Stops listening to the change feed. */
  close(): Promise<void>;
  /**
   * The org's document from memory, synchronously (`{ limits: [] }` when it has none), or undefined when unknown: not
   * loaded yet, evicted, or being re-read after a change. Callers then `get()` (or `load()`).
   */
  peek(orgId: string): LimitDocument | undefined;
  /** The org's document: from memory when held (no query), else read now (sharing a read already running) and held. */
  get(orgId: string): Promise<LimitDocument>;
  /** Reads the org's document now and holds it; rejects when the database is unreachable. */
  load(orgId: string): Promise<LimitDocument>;
}

/** Freezes a parsed document all the way down: the cache hands the same object to every request. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The document of an org that has none. */
export const EMPTY_LIMIT_DOCUMENT: LimitDocument = deepFreeze({ limits: [] });

const decode = (stored: unknown): LimitDocument => {
  const document = readStoredLimitDocument(stored);
  return document.limits.length === 0 ? EMPTY_LIMIT_DOCUMENT : deepFreeze(document);
};

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane limit store: ${error.message}`);

/**
 * The limits cache (defaults: onError process.emitWarning, maxEntries 100000), a `LoadingCache` named `limits`:
 * `start()` loads every org's document, each `limits.changed` forgets that org at once and re-reads it (so every instance
 * enforces the new document within the change feed's bound), and a resync reloads all. An org the last full load did not
 * list has no limits, as long as that load is whole (nothing evicted since). Reads are versioned so a slow read never
 * overwrites a later one.
 */
export function createLimitStore(options: LimitStoreOptions): LimitStore {
  const { limits } = options;
  const documents = new LoadingCache<string, LimitDocument>({
    name: 'limits',
    maxEntries: options.maxEntries ?? 100_000,
    unlisted: EMPTY_LIMIT_DOCUMENT,
    load: async (orgId) => {
      const row = await limits.findByOrg(orgId);
      return row === undefined ? EMPTY_LIMIT_DOCUMENT : decode(row.document);
    },
    loadAll: async () => (await limits.listAll()).map((row) => [row.orgId, decode(row.document)] as const),
    onError: options.onError ?? defaultOnError,
  });
  // A limits.changed forgets that org's document at once: from the event on no request is counted under the old one.
  documents.followSnapshot(options.changeFeed, { changed: CHANGE_TOPICS.limitsChanged, resync: CHANGE_FEED_RESYNC_TOPIC, keyOf: orgIdOf });

  return {
    start: () => documents.start(),
    close() {
      documents.close();
      return Promise.resolve();
    },
    peek: (orgId) => documents.peek(orgId),
    get: async (orgId) => (await documents.get(orgId)) ?? EMPTY_LIMIT_DOCUMENT,
    load: async (orgId) => (await documents.load(orgId)) ?? EMPTY_LIMIT_DOCUMENT,
  };
}
