import type { Route } from '@navplane/routing';

/** A source of uniform numbers in [0, 1): `Math.random` in service, a seeded one in tests. */
export type Random = () => number;

/**
 * The order a route's targets are tried in (indices into `route.targets`): `fallback`, as listed; `loadbalance`, one
 * picked with probability weight / total weight (weights default to 1), then the others as listed.
 */
export function orderTargets(route: Route, random: Random): number[] {
  const order = route.targets.map((_, index) => index);
  if (route.strategy !== 'loadbalance' || order.length < 2) return order;
  let total = 0;
  for (const target of route.targets) total += target.weight ?? 1;
  let point = random() * total;
  let picked = order.length - 1; // rounding at the top end lands on the last target
  for (let index = 0; index < route.targets.length; index += 1) {
    point -= route.targets[index]?.weight ?? 1;
    if (point < 0) {
      picked = index;
      break;
    }
  }
  return [picked, ...order.filter((index) => index !== picked)];
}

/** A seeded generator (mulberry32): the same seed gives the same sequence, for tests of weighted splits. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
