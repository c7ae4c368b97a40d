import { systemClock, type Clock } from '@navplane/core';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Where failed authentications are counted, per client address (docs/security-keys.md, "Brute-force throttling"): in
 * this process (`createMemoryAuthFailureCounter`), or in a store every instance shares (a rate-limiter-flexible
 * `RateLimiterRedis` built with `authFailureLimiterOptions`, through `rateLimiterAuthFailureCounter`).
 */
export interface AuthFailureCounter {
  /**
   * Counts one failed authentication of `key`; resolves with how long, in ms from now, the key is over its limit and
   * refused (0: still under it). Rejects only when the store cannot be reached.
   */
  hit(key: string): Promise<number>;
}

/** The limit: `limit` failures per address within `windowMs`; one more and the address is refused for `windowMs`. */
export interface AuthFailureLimits {
  /** NAVPLANE_AUTH_FAILURE_LIMIT: failures allowed per window (0: throttling off). */
  readonly limit: number;
  /** NAVPLANE_AUTH_FAILURE_WINDOW_MS: the counting window, and how long an address over the limit is refused. */
  readonly windowMs: number;
}

/** The rate-limiter-flexible options of a failure limiter (seconds, as the library counts). */
export interface FailureLimiterOptions {
  readonly points: number;
  readonly duration: number;
  readonly blockDuration: number;
  readonly keyPrefix: string;
}

/**
 * The options of a rate-limiter-flexible limiter that counts failures as `limits` says: `limit` points per window, a
 * block of one window for the address that goes over. The same for the in-process limiter and a shared (Redis) one.
 */
export function authFailureLimiterOptions(limits: AuthFailureLimits, keyPrefix: string): FailureLimiterOptions {
  const seconds = limits.windowMs / 1000;
  return { points: limits.limit, duration: seconds, blockDuration: seconds, keyPrefix };
}

/** The limiter calls a counter needs (RateLimiterMemory, RateLimiterRedis, … all have it). */
export interface FailureLimiter {
  consume(key: string | number, points?: number): Promise<RateLimiterRes>;
}

/** A counter over a rate-limiter-flexible limiter built with `authFailureLimiterOptions`. */
export function rateLimiterAuthFailureCounter(limiter: FailureLimiter): AuthFailureCounter {
  return {
    async hit(key) {
      try {
        await limiter.consume(key);
        return 0; // within the limit (the limit-th failure included)
      } catch (rejection) {
        // Over the limit (or still blocked): the limiter says for how long.
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        throw rejection;
      }
    },
  };
}

/** The in-process counter (per instance; a shared store makes the limit hold across instances). */
export function createMemoryAuthFailureCounter(limits: AuthFailureLimits, keyPrefix: string): AuthFailureCounter {
  return rateLimiterAuthFailureCounter(new RateLimiterMemory({ ...authFailureLimiterOptions(limits, keyPrefix) }));
}

/**
 * Brute-force throttling of one app's authentications, by client address (docs/security-keys.md, "Brute-force
 * throttling"). A refused credential counts a failure; past the limit, the address is refused for a window — every
 * attempt, valid or not, before the credential is looked at, so guessing stops instead of merely getting another
 * status. An address that is not refused pays nothing: the check is one size test while no address is refused, one
 * map lookup otherwise.
 */
export interface AuthThrottle {
  /** True while some address is refused (callers need the request's address only then). */
  anyBlocked(): boolean;
  /** How long `address` is still refused, in ms (0: it is not); a refusal is counted (`onRefused`). */
  check(address: string): number;
  /**
   * Counts a failed authentication of `address`; resolves with how long it is now refused (0: not; else the failure
   * is answered as a refusal too). The first failure over the limit blocks the address and tells `onBlocked` once.
   * Never rejects (a store that cannot be reached counts nothing: `onError`).
   */
  recordFailure(address: string): Promise<number>;
}

/** Options of createAuthThrottle. */
export interface AuthThrottleOptions {
  readonly counter: AuthFailureCounter;
  readonly clock?: Clock;
  /** Told of each failure counted (metric). */
  readonly onFailure?: () => void;
  /** Told of each attempt refused because its address is blocked (metric). */
  readonly onRefused?: () => void;
  /** Told once per block (audit record, metric), never per refused attempt. */
  readonly onBlocked?: (address: string, blockedForMs: number) => void;
  /** Told when the counter's store fails (the failure is then not counted: throttling fails open, auth does not). */
  readonly onError?: (error: unknown) => void;
}

// Blocked addresses held at most; past it, expired entries are swept first (each entry took a limit's worth of
// failures to make, so reaching it at all means a distributed attack: the oldest blocks then go first).
const MAX_BLOCKED = 100_000;

/** The throttle over `counter` (create one per app and share it). */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const clock = options.clock ?? systemClock;
  const blockedUntil = new Map<string, number>();

  const remaining = (address: string): number => {
    const until = blockedUntil.get(address);
    if (until === undefined) return 0;
    const left = until - clock.nowMs();
    if (left > 0) return left;
    blockedUntil.delete(address);
    return 0;
  };

  const block = (address: string, ms: number) => {
    if (blockedUntil.size >= MAX_BLOCKED) {
      const now = clock.nowMs();
      for (const [key, until] of blockedUntil) if (until <= now) blockedUntil.delete(key);
      // Still full: forget the oldest blocks (insertion order).
      for (const key of blockedUntil.keys()) {
        if (blockedUntil.size < MAX_BLOCKED) break;
        blockedUntil.delete(key);
      }
    }
    blockedUntil.set(address, clock.nowMs() + ms);
  };

  return {
    anyBlocked: () => blockedUntil.size > 0,
    check(address) {
      const ms = blockedUntil.size === 0 ? 0 : remaining(address);
      if (ms > 0) options.onRefused?.();
      return ms;
    },
    async recordFailure(address) {
      options.onFailure?.();
      let ms: number;
      try {
        ms = await options.counter.hit(address);
      } catch (error) {
        options.onError?.(error);
        return 0;
      }
      if (ms <= 0) return 0;
      // Concurrent failures of one address can all come back over the limit: the block (and its audit) happens once.
      const already = remaining(address) > 0;
      block(address, ms);
      if (!already) options.onBlocked?.(address, ms);
      options.onRefused?.();
      return ms;
    },
  };
}

/** A throttle that never refuses (NAVPLANE_AUTH_FAILURE_LIMIT=0). */
export const NO_AUTH_THROTTLE: AuthThrottle = Object.freeze({
  anyBlocked: () => false,
  check: () => 0,
  recordFailure: () => Promise.resolve(0),
});
