import { AppError } from '@navplane/core';
import { parseTags, TAGS_HEADER } from '@navplane/trace';
import type { Started, Tagged } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';

/**
 * Reads the request's tags from `X-NavPlane-Tags` (docs/gateway.md, "Tags"): up to 10 tags of 1-64 characters of
 * `[A-Za-z0-9._:/-]`, trimmed, case kept, duplicates collapsed; stored with the trace, never forwarded (the upstream
 * headers are an allowlist). A header that breaks a rule is refused with 400 `invalid_request` before any upstream
 * call. A request without the header pays one header lookup.
 */
export function readTags(): Step<Started, Tagged> {
  const none: Tagged = Object.freeze({ tags: Object.freeze([]) });
  return {
    name: 'readTags',
    run(_context, { req }) {
      const header = req.headers[TAGS_HEADER];
      if (header === undefined) return none;
      const parsed = parseTags(header);
      if (!parsed.ok) return new AppError('invalid_request', parsed.error, { details: { param: 'X-NavPlane-Tags' } });
      return parsed.value.length === 0 ? none : { tags: parsed.value };
    },
  };
}
