/**
 * The code point at `index` of `text`, a position the caller knows is inside it (a loop bound, a character of a
 * non-empty string): a RangeError, never `undefined`, when it is not.
 */
export function codePointAt(text: string, index: number): number {
  const cp = text.codePointAt(index);
  if (cp === undefined) throw new RangeError(`index ${index} is outside a text of ${text.length}`);
  return cp;
}
