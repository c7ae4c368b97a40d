/**
 * `items[index]`, or a RangeError: the benchmarks index arrays they have just built (a mix, the measured runs in
 * target order), so an index out of range is a bug in the bench, never a value to carry on with.
 */
export function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} is outside a list of ${items.length}`);
  return item;
}
