import { err, ok, type Result } from '@navplane/core';

/** The request header that tags a request (docs/gateway.md, "Tags"), lower-case as Node reads it. */
export const TAGS_HEADER = 'x-navplane-tags';

/** Most distinct tags one request may carry. */
export const MAX_TAGS = 10;

/** Longest tag, in characters. */
export const MAX_TAG_LENGTH = 64;

/** The characters a tag may hold: letters, digits and `. _ : / -` (case kept). */
const TAG_CHARACTERS = /^[A-Za-z0-9._:/-]+$/;

// Most requests carry no tags: one shared answer, no allocation.
const NO_TAGS = Object.freeze(ok(Object.freeze([]) as readonly string[]));

/**
 * The tags of an `X-NavPlane-Tags` header (docs/gateway.md, "Tags"): comma-separated, each trimmed, 1-64 characters of
 * `[A-Za-z0-9._:/-]`, case kept, duplicates collapsed (the first occurrence keeps its place), at most 10 distinct. No
 * header, or an empty one, is no tags. A refusal's message names the rule and the tag's position, never its text.
 */
export function parseTags(header: string | readonly string[] | undefined): Result<readonly string[], string> {
  if (header === undefined) return NO_TAGS;
  // Node joins repeated custom headers with ", "; an array (from other callers) is joined the same way.
  const value = typeof header === 'string' ? header : header.join(',');
  if (value.trim() === '') return NO_TAGS;
  const tags: string[] = [];
  const parts = value.split(',');
  for (let i = 0; i < parts.length; i += 1) {
    const tag = (parts[i] as string).trim();
    const position = i + 1;
    if (tag === '') return err(`X-NavPlane-Tags: tag ${position} is empty (send comma-separated tags such as "team:search,feature/x")`);
    if (tag.length > MAX_TAG_LENGTH) return err(`X-NavPlane-Tags: tag ${position} is longer than ${MAX_TAG_LENGTH} characters`);
    if (!TAG_CHARACTERS.test(tag)) {
      return err(`X-NavPlane-Tags: tag ${position} has a character other than letters, digits and . _ : / -`);
    }
    if (!tags.includes(tag)) tags.push(tag);
    if (tags.length > MAX_TAGS) return err(`X-NavPlane-Tags: at most ${MAX_TAGS} different tags per request`);
  }
  return ok(tags);
}
