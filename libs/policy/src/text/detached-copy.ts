/** Shortest string V8 may keep as a slice of a longer one (SlicedString::kMinLength); shorter ones are copies already. */
const MIN_SLICED_LENGTH = 13;

/**
 * `text` as a string of its own: V8 keeps a substring of 13 characters or more as a slice that holds its whole source
 * (a request or response body) alive, so a cache that keeps a text read out of a document keeps this copy instead.
 */
export function detachedCopy(text: string): string {
  return text.length < MIN_SLICED_LENGTH ? text : (JSON.parse(JSON.stringify(text)) as string);
}
