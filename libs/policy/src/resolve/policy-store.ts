import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type ChangeFeed, type PoliciesRepository, type Policy } from '@navplane/storage';
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
 * The policy cache (default onError process.emitWarning): `start()` loads all, each `policy.changed` forgets that
 * org at once and re-reads it, and a resync reloads all. Reads are ticketed so a slow read never overwrites a later one.
 */
export function createPolicyStore(options: PolicyStoreOptions): PolicyStore {
  const onError = options.onError ?? defaultOnError;
  const rules = new Map<string, { rules: readonly PolicyRule[] | undefined; ticket: number }>();
  let loadedAllTicket = 0; // 0: never loaded; orgs absent from `rules` are known-empty once set
  let lastTicket = 0;
  let starting: Promise<void> | undefined;

  function apply(orgId: string, value: readonly PolicyRule[] | undefined, ticket: number): void {
    const current = rules.get(orgId);
    if (current === undefined || current.ticket < ticket) rules.set(orgId, { rules: value, ticket });
  }

  async function load(orgId: string): Promise<readonly PolicyRule[]> {
    const ticket = (lastTicket += 1);
    try {
      const rows = await options.policies.listByOrg(orgId);
      const value = rows.length === 0 ? EMPTY : Object.freeze(rows.map(toPolicyRule));
      apply(orgId, value, ticket);
      return value;
    } catch (error) {
      // We were told the org changed and cannot learn how: forget it, so requests re-read or fail closed.
      apply(orgId, undefined, ticket);
      throw error;
    }
  }

  async function loadAll(): Promise<void> {
    const ticket = (lastTicket += 1);
    let rows: Policy[];
    try {
      rows = await options.policies.listAll();
    } catch (error) {
      for (const orgId of rules.keys()) apply(orgId, undefined, ticket);
      if (loadedAllTicket > 0) loadedAllTicket = -1; // every org unknown until a reload works
      throw error;
    }
    const byOrg = new Map<string, PolicyRule[]>();
    for (const row of rows) {
      const list = byOrg.get(row.orgId) ?? [];
      list.push(toPolicyRule(row));
      byOrg.set(row.orgId, list);
    }
    for (const [orgId, list] of byOrg) apply(orgId, Object.freeze(list), ticket);
    for (const [orgId, entry] of rules) if (!byOrg.has(orgId) && entry.ticket < ticket) rules.delete(orgId);
    loadedAllTicket = ticket;
  }

  const report = (error: unknown) => onError(error instanceof Error ? error : new Error(String(error)));
  const unsubscribers = [
    options.changeFeed.subscribe(CHANGE_TOPICS.policyChanged, (payload) => {
      const orgId = payload['orgId'];
      if (typeof orgId !== 'string') {
        loadAll().catch(report);
        return;
      }
      // Forget at once, so no request is judged by the old policies once the change is known; requests arriving
      // before the re-read completes read the org themselves.
      apply(orgId, undefined, (lastTicket += 1));
      load(orgId).catch(report);
    }),
    options.changeFeed.subscribe(CHANGE_FEED_RESYNC_TOPIC, () => {
      loadAll().catch(report);
    }),
  ];

  return {
    start() {
      starting ??= loadAll().catch((error: unknown) => {
        starting = undefined;
        throw error;
      });
      return starting;
    },
    async close() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    },
    peek(orgId) {
      const entry = rules.get(orgId);
      if (entry !== undefined) return entry.rules;
      return loadedAllTicket > 0 ? EMPTY : undefined;
    },
    load,
  };
}
