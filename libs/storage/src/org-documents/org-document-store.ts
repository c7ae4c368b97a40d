import { LoadingCache } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, type ChangeFeed } from '../change-feed/change-feed';
import { orgIdOf, type ChangeTopic } from '../change-feed/change-topics';
import type { JsonObject } from '../schema/json';

/** A table of one JSON document per org (routes, limits): what the store reads of it. */
export interface OrgDocumentRepository {
  /** The org's document, or undefined when it never had one. */
  findByOrg(orgId: string): Promise<{ readonly document: JsonObject } | undefined>;
  /** Every org's document (gateways load them all at start). */
  listAll(): Promise<ReadonlyArray<{ readonly orgId: string; readonly document: JsonObject }>>;
}

/** What a kind of org document is to its store: its cache's name, topic, empty document and parser. */
export interface OrgDocumentKind<D> {
  /** The LoadingCache's name (its metrics and warnings), e.g. `limits`. */
  readonly name: string;
  /** The topic a put announces with `{ orgId }`. */
  readonly changed: ChangeTopic;
  /** The document of an org that has none (frozen; handed out as is). */
  readonly empty: D;
  /** Parses a stored document (already validated when it was put). */
  read(stored: JsonObject): D;
  /** True when a parsed document says nothing (the store then hands out `empty`). */
  isEmpty(document: D): boolean;
}

/** Options of createOrgDocumentStore. */
export interface OrgDocumentStoreOptions {
  /** `listAll` at start and on resync, `findByOrg` per change or miss. */
  readonly repository: OrgDocumentRepository;
  /** Where the kind's `changed` topic and resync events arrive from (subscribed at creation). */
  readonly changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); that org then reads as unknown until loaded again. */
  readonly onError?: (error: Error) => void;
  /** Most orgs held (default 100000); past it, orgs not held are read again when next needed. */
  readonly maxEntries?: number;
}

/** Every org's document of one kind in memory, kept current by the change feed: no query on a warm request. */
export interface OrgDocumentStore<D> {
  /** Loads every org's document; rejects when the database cannot be read (call again to retry). Idempotent. */
  start(): Promise<void>;
  /** Stops listening to the change feed. */
  close(): Promise<void>;
  /**
   * The org's document from memory, synchronously (the kind's empty document when it has none), or undefined when
   * unknown: not loaded yet, evicted, or being re-read after a change. Callers then `get()` (or `load()`).
   */
  peek(orgId: string): D | undefined;
  /** The org's document: from memory when held (no query), else read now (sharing a read already running) and held. */
  get(orgId: string): Promise<D>;
  /** Reads the org's document now and holds it; rejects when the database is unreachable. */
  load(orgId: string): Promise<D>;
}

/** Freezes a parsed document all the way down: the cache hands the same object to every request. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The cache of one kind of org document (defaults: onError process.emitWarning, maxEntries 100000), a `LoadingCache`
 * named after the kind: `start()` loads every org's document, each `changed` event forgets that org at once and re-reads
 * it (so every instance acts on the new document within the change feed's bound: from the event on, no request is
 * handled under the old one), and a resync reloads all. An org the last full load did not list has the empty document,
 * as long as that load is whole (nothing evicted since). Reads are versioned so a slow read never overwrites a later one.
 */
export function createOrgDocumentStore<D>(kind: OrgDocumentKind<D>, options: OrgDocumentStoreOptions): OrgDocumentStore<D> {
  const { repository } = options;
  const decode = (stored: JsonObject): D => {
    const document = kind.read(stored);
    return kind.isEmpty(document) ? kind.empty : deepFreeze(document);
  };
  const documents = new LoadingCache<string, D>({
    name: kind.name,
    maxEntries: options.maxEntries ?? 100_000,
    unlisted: kind.empty,
    load: async (orgId) => {
      const row = await repository.findByOrg(orgId);
      return row === undefined ? kind.empty : decode(row.document);
    },
    loadAll: async () => (await repository.listAll()).map((row) => [row.orgId, decode(row.document)] as const),
    onError: options.onError ?? ((error: Error) => process.emitWarning(`NavPlane ${kind.name} store: ${error.message}`)),
  });
  documents.followSnapshot(options.changeFeed, { changed: kind.changed, resync: CHANGE_FEED_RESYNC_TOPIC, keyOf: orgIdOf });

  return {
    start: () => documents.start(),
    close() {
      documents.close();
      return Promise.resolve();
    },
    peek: (orgId) => documents.peek(orgId),
    get: async (orgId) => (await documents.get(orgId)) ?? kind.empty,
    load: async (orgId) => (await documents.load(orgId)) ?? kind.empty,
  };
}
