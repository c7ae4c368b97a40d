import type { Redis } from 'ioredis';
import type { Admission, CountedLimit, CounterStore, ScopeCounters, ScopeState, WindowState } from './counter-store';
import { ADMIT_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT, runScript } from './redis-scripts';

/** Options of createRedisCounterStore. */
export interface RedisCounterStoreOptions {
  /** The process's ioredis client (its owner closes it). */
  readonly client: Redis;
  /** NAVPLANE_REDIS_PREFIX: every key starts with it (`navplane:limits:…`). */
  readonly prefix: string;
  /**
   * How long a concurrency lease lives unless renewed, ms (default 60000). This instance renews its live leases every
   * third of it, so a request may run for hours; a lease of an instance that died frees itself within one TTL.
   */
  readonly leaseTtlMs?: number;
  /** A renewal failed (Redis unreachable); the leases are renewed again at the next tick. */
  readonly onRenewError?: (error: unknown) => void;
}

const LIMITS: readonly CountedLimit[] = ['rpm', 'tpm', 'concurrency'];

/** The keys of one scope: its requests and tokens windows (hashes of bucket → amount) and its leases (a sorted set). */
function keysOf(prefix: string, key: string) {
  const base = `${prefix}limits:${key}`;
  return { requests: `${base}:rpm`, tokens: `${base}:tpm`, leases: `${base}:concurrency` };
}

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

const windowState = (limit: number | undefined, remaining: unknown, resetMs: unknown): WindowState | undefined =>
  limit === undefined || !isInteger(remaining) || !isInteger(resetMs) || remaining < 0
    ? undefined
    : { limit, remaining, resetMs: Math.max(0, resetMs) };

/** The admission script's answer as an Admission (throws on an answer no version of the script gives). */
function readAdmission(reply: unknown, checks: readonly ScopeCounters[]): Admission {
  if (!Array.isArray(reply)) throw new Error('limits: unexpected reply from Redis');
  const items: readonly unknown[] = reply;
  const [admitted] = items;
  if (admitted === 0) {
    const [, index, limit, retryAfterMs] = items;
    const check = isInteger(index) ? checks[index - 1] : undefined;
    const counted = LIMITS.find((name) => name === limit);
    if (check === undefined || counted === undefined || !isInteger(retryAfterMs)) throw new Error('limits: unexpected refusal from Redis');
    return { admitted: false, limit: counted, key: check.key, retryAfterMs };
  }
  const scopes: ScopeState[] = checks.map((check, i) => {
    const at = 2 + i * 4;
    const requests = windowState(check.rpm, items[at], items[at + 1]);
    const tokens = windowState(check.tpm, items[at + 2], items[at + 3]);
    return { key: check.key, ...(requests === undefined ? {} : { requests }), ...(tokens === undefined ? {} : { tokens }) };
  });
  return { admitted: true, scopes };
}

/**
 * The counters every instance shares: one Lua script per admission checks every scope and counts the request in all of
 * them atomically on the Redis server (its clock, one round trip), so N instances together never admit more than a
 * limit allows; tpm may run over by the tokens of requests already in flight (their usage is not known yet). A
 * command that fails rejects: the caller decides between counting in memory (fail-open) and refusing (fail-closed).
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): CounterStore {
  const { client, prefix } = options;
  const ttl = options.leaseTtlMs ?? 60_000;
  // The live leases of this instance: lease id → its leases sets, renewed every ttl/3.
  const live = new Map<string, readonly string[]>();
  const renew = setInterval(
    () => {
      if (live.size === 0) return;
      const keys: string[] = [];
      const ids: string[] = [];
      for (const [leaseId, sets] of live) {
        for (const set of sets) {
          keys.push(set);
          ids.push(leaseId);
        }
      }
      runScript(client, RENEW_SCRIPT, keys, [ttl, ...ids]).catch((error: unknown) => options.onRenewError?.(error));
    },
    Math.max(1, Math.floor(ttl / 3)),
  );
  renew.unref();

  return {
    kind: 'redis',
    async admit(checks, leaseId) {
      const keys: string[] = [];
      const args: Array<string | number> = [leaseId, ttl];
      for (const check of checks) {
        const k = keysOf(prefix, check.key);
        keys.push(k.requests, k.tokens, k.leases);
        args.push(check.rpm ?? 0, check.tpm ?? 0, check.concurrency ?? 0);
      }
      const admission = readAdmission(await runScript(client, ADMIT_SCRIPT, keys, args), checks);
      if (admission.admitted) {
        const sets = checks.filter((check) => check.concurrency !== undefined).map((check) => keysOf(prefix, check.key).leases);
        if (sets.length > 0) live.set(leaseId, sets);
      }
      return admission;
    },
    async release(checks, leaseId, tokens) {
      live.delete(leaseId);
      const keys: string[] = [];
      const args: Array<string | number> = [leaseId, Math.max(0, Math.round(tokens))];
      for (const check of checks) {
        const k = keysOf(prefix, check.key);
        keys.push(k.tokens, k.leases);
        args.push(check.tpm === undefined ? '0' : '1', check.concurrency === undefined ? '0' : '1');
      }
      await runScript(client, RELEASE_SCRIPT, keys, args);
    },
    close() {
      clearInterval(renew);
      live.clear();
    },
  };
}
