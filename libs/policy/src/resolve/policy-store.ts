import { LoadingCache } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, orgIdOf, type ChangeFeed, type PoliciesRepository, type Policy } from '@navplane/storage';
import { isDetectorId, type DetectorId } from '../detector-ids';
import type { PolicyRule } from './resolve-policy';

/** Options of createPolicyStore. */
export interface PolicyStoreOptions {
  /** `listAll` at start and on resync, `listByOrg` per change. */
  policies: Pick<PoliciesRepository, 'listAll' | 'listByOrg'>;
  /** Where `policy.changed` and resync events arrive from (subscribed at creation). */
  changeFeed: Pick<ChangeFeed, 'subscribe'>;
  /** A background refresh failed (default: process.emitWarning); that org then reads as unknown. */
  onError?: (error: Error) => void;
  /** Most orgs held (default 100000); past it, orgs not held are read again when next needed. */
  maxEntries?: number;
}

/** Every org's policies in memory, kept current by the change feed: no query on a warm request. */
export interface PolicyStore {
  /** Loads every org's policies; rejects when the database cannot be read (call again to retry). Idempotent. */
  start(): Promise<void>;
  /** Stops listening to the change feed. */
  close(): Promise<void>;
  /**
   * The org's rules from memory (an empty list when it has none), or undefined when unknown: not loaded yet, or
   * a refresh after a change failed. Callers then `load()` and fail closed if that rejects.
   */
  peek(orgId: string): readonly PolicyRule[] | undefined;
  /** Reads the org's policies now and caches them; rejects when the database is unreachable. */
  load(orgId: string): Promise<readonly PolicyRule[]>;
}

const EMPTY: readonly PolicyRule[] = Object.freeze([]);

/** The detectors a stored policy names (`config.detectors`; unknown names ignored), or undefined for every one. */
export function policyDetectors(config: Policy['config']): DetectorId[] | undefined {
  const configured = config['detectors'];
  return Array.isArray(configured) ? configured.filter((name): name is DetectorId => isDetectorId(name)) : undefined;
}

/** The engine's view of a stored policy (unknown detector names in `config` are ignored). */
export function toPolicyRule(policy: Policy): PolicyRule {
  const detectors = policyDetectors(policy.config);
  return Object.freeze({
    id: policy.id,
    scopeType: policy.scopeType,
    scopeValue: policy.scopeValue,
    mode: policy.mode,
    ...(detectors !== undefined && detectors.length > 0 ? { detectors: Object.freeze(detectors) } : {}),
  });
}

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane policy store: ${error.message}`);

/**
 * The policy cache (defaults: onError process.emitWarning, maxEntries 100000), a `LoadingCache` named `policies`:
 * `start()` loads all, each `policy.changed` forgets that org at once and re-reads it, and a resync reloads all.
 * An org the last full load did not list has no policies, as long as that load is whole (nothing evicted since).
 * Reads are versioned so a slow read never overwrites a later one.
 */
export function createPolicyStore(options: PolicyStoreOptions): PolicyStore {
  const rules = new LoadingCache<string, readonly PolicyRule[]>({
    name: 'policies',
    maxEntries: options.maxEntries ?? 100_000,
    unlisted: EMPTY,
    load: async (orgId) => {
      const rows = await options.policies.listByOrg(orgId);
      return rows.length === 0 ? EMPTY : Object.freeze(rows.map(toPolicyRule));
    },
    loadAll: async () => {
      const byOrg = new Map<string, PolicyRule[]>();
      for (const row of await options.policies.listAll()) {
        const list = byOrg.get(row.orgId) ?? [];
        list.push(toPolicyRule(row));
        byOrg.set(row.orgId, list);
      }
      return [...byOrg].map(([orgId, list]) => [orgId, Object.freeze(list)] as const);
    },
    onError: options.onError ?? defaultOnError,
  });
  // A policy.changed forgets that org's rules at once: from the event on no request is judged by the old ones.
  rules.followSnapshot(options.changeFeed, { changed: CHANGE_TOPICS.policyChanged, resync: CHANGE_FEED_RESYNC_TOPIC, keyOf: orgIdOf });

  return {
    start: () => rules.start(),
    close() {
      rules.close();
      return Promise.resolve();
    },
    peek: (orgId) => rules.peek(orgId),
    load: async (orgId) => (await rules.load(orgId)) ?? EMPTY,
  };
}
