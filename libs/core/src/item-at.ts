/**
 * `items[index]`, or a RangeError. For reads at an index the code has just computed and knows to be in range
 * (a position found by a search, a list built a step earlier): a miss is a bug to stop at, never an `undefined`
 * to carry on with. Works on arrays, typed arrays and strings' code units alike (any ArrayLike).
 */
export function itemAt<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} is outside a list of ${items.length}`);
  return item;
}
