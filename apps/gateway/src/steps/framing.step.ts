import { AppError } from '@navplane/core';
import type { Started } from '../gateway-context';
import type { Step } from '../pipeline/pipeline';

/**
 * Refuses request framing the gateway will not relay: a `Transfer-Encoding` other than exactly `chunked` (such as
 * `identity, chunked` or `gzip, chunked`) is how request-smuggling attempts disagree with a proxy about where a body
 * ends, so it gets 400 `invalid_request` and is never forwarded.
 */
export function checkFraming(): Step<Started, object> {
  const nothing = {};
  return {
    name: 'checkFraming',
    run(_context, { req }) {
      const encoding = req.headers['transfer-encoding'];
      if (encoding === undefined || encoding.trim().toLowerCase() === 'chunked') return nothing;
      return new AppError('invalid_request', 'Transfer-Encoding must be exactly "chunked"');
    },
  };
}
