import { ManualClock } from '@navplane/core';
import { createAuthThrottle, createMemoryAuthFailureCounter, NO_AUTH_THROTTLE, type AuthFailureCounter } from './auth-throttle';

/** A counter driven by a manual clock: `limit` failures per window, then refused for a window (what the limiter does). */
function clockedCounter(clock: ManualClock, limit: number, windowMs: number): AuthFailureCounter {
  const windows = new Map<string, { start: number; count: number; blockedUntil: number }>();
  return {
    hit(key) {
      const now = clock.nowMs();
      let entry = windows.get(key);
      if (entry === undefined || (now >= entry.start + windowMs && now >= entry.blockedUntil)) {
        entry = { start: now, count: 0, blockedUntil: 0 };
        windows.set(key, entry);
      }
      entry.count += 1;
      if (entry.count > limit && entry.blockedUntil <= now) entry.blockedUntil = now + windowMs;
      return Promise.resolve(entry.count > limit ? entry.blockedUntil - now : 0);
    },
  };
}

describe('createAuthThrottle', () => {
  it('refuses an address after `limit` failures for the window, tells onBlocked once, and forgets it after', async () => {
    const clock = new ManualClock();
    const blocked: Array<[string, number]> = [];
    const throttle = createAuthThrottle({ counter: clockedCounter(clock, 3, 60_000), clock, onBlocked: (a, ms) => blocked.push([a, ms]) });

    expect(throttle.anyBlocked()).toBe(false);
    for (let i = 0; i < 3; i += 1) expect(await throttle.recordFailure('203.0.113.7')).toBe(0);
    expect(throttle.check('203.0.113.7')).toBe(0);
    // The first failure over the limit blocks the address for the window.
    expect(await throttle.recordFailure('203.0.113.7')).toBe(60_000);
    expect(throttle.anyBlocked()).toBe(true);
    clock.advance(10_000);
    expect(throttle.check('203.0.113.7')).toBe(50_000);
    // Another address is not affected.
    expect(throttle.check('198.51.100.1')).toBe(0);
    // More failures (concurrent ones that were already in flight) do not block again or audit again.
    await Promise.all([throttle.recordFailure('203.0.113.7'), throttle.recordFailure('203.0.113.7')]);
    expect(blocked).toEqual([['203.0.113.7', 60_000]]);

    clock.advance(50_000);
    expect(throttle.check('203.0.113.7')).toBe(0);
    expect(throttle.anyBlocked()).toBe(false);
    expect(await throttle.recordFailure('203.0.113.7')).toBe(0); // a fresh window
  });

  it('fails open when the counter store fails (the credential is still checked): counts nothing, reports the error', async () => {
    const errors: unknown[] = [];
    const throttle = createAuthThrottle({
      counter: { hit: () => Promise.reject(new Error('store down')) },
      onError: (e) => errors.push(e),
    });
    expect(await throttle.recordFailure('203.0.113.7')).toBe(0);
    expect(throttle.anyBlocked()).toBe(false);
    expect(errors).toHaveLength(1);
  });

  it('NO_AUTH_THROTTLE never refuses', async () => {
    expect(await NO_AUTH_THROTTLE.recordFailure('a')).toBe(0);
    expect(NO_AUTH_THROTTLE.anyBlocked()).toBe(false);
  });
});

describe('createMemoryAuthFailureCounter (rate-limiter-flexible RateLimiterMemory)', () => {
  it('allows `limit` failures per key, then refuses for the window; keys are independent; a new window starts clean', async () => {
    const counter = createMemoryAuthFailureCounter({ limit: 2, windowMs: 300 }, 'test');
    expect(await counter.hit('a')).toBe(0);
    expect(await counter.hit('a')).toBe(0);
    const over = await counter.hit('a');
    expect(over).toBeGreaterThan(200);
    expect(over).toBeLessThanOrEqual(300);
    expect(await counter.hit('b')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await counter.hit('a')).toBe(0);
  });
});
