import { hasScope, type AuthenticatedKey, type AuthThrottle, type KeyRefusalCode, type Scope, type VerifyResult } from '@navplane/auth';
import { AppError } from '@navplane/core';
import type { Authenticated, CredentialMode, Routed } from '../gateway-context';
import { Refusal, type Step } from '../pipeline/pipeline';
import { UpstreamCredential } from '../pipeline/upstream-credential';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ProviderAdapter } from '@navplane/providers';
import { extractCredentials, type ExtractedCredentials } from './extract-credentials';

/** Options of authenticate. */
export interface AuthenticateOptions {
  /** Verifies a presented NavPlane key (cached; no DB query when warm). */
  verify: (presented: string) => Promise<VerifyResult>;
  /** True when a refused credential is shaped like a provider's key (`ProviderRegistry.looksLikeProviderKey`). */
  looksLikeProviderKey: (value: string) => boolean;
  /**
   * Where the key is looked for (default `extractCredentials`: the request's key headers). A WebSocket upgrade also
   * looks in its subprotocols (`websocket/upgrade-credentials.ts`).
   */
  extract?: (
    headers: IncomingHttpHeaders,
    adapter: ProviderAdapter,
    looksLikeProviderKey: (value: string) => boolean,
  ) => ExtractedCredentials;
  /**
   * Brute-force throttling by client address (docs/security-keys.md, "Brute-force throttling"): a refused key counts a
   * failure; an address over the limit is refused with 429 before its key is looked at. Absent: none.
   */
  throttle?: { readonly throttle: AuthThrottle; readonly clientAddress: (req: IncomingMessage) => string };
}

/**
 * The 429 of a throttled address: the same for every attempt, whatever the key (it never says whether one exists).
 */
export function authThrottledError(retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('rate_limited', `Too many failed authentications from this address; retry after ${retryAfterSeconds} s`, {
    retryable: true,
    details: { retryAfterSeconds },
  });
}

const REFUSALS: Record<KeyRefusalCode, () => AppError> = {
  malformed: () => new AppError('invalid_api_key', 'Invalid NavPlane key'),
  unknown: () => new AppError('invalid_api_key', 'Invalid NavPlane key'),
  revoked: () => new AppError('invalid_api_key', 'This NavPlane key has been revoked'),
  expired: () => new AppError('invalid_api_key', 'This NavPlane key has expired'),
  org_disabled: () => new AppError('org_disabled', 'This organization is disabled'),
  unavailable: () => new AppError('auth_unavailable', 'NavPlane cannot verify keys right now; retry shortly', { retryable: true }),
};

const HOW_TO_SEND = 'send it as "Authorization: Bearer np_…", "x-api-key: np_…", or "X-NavPlane-Key: np_…" with your own provider key';

/** What authenticate adds. */
export interface Authentication {
  key: AuthenticatedKey;
  credentialMode: CredentialMode;
  clientCredential?: UpstreamCredential;
}

/** `np_` then a public id: a NavPlane key, whole or cut, as it may appear in a URL query (`%5F` for `_` too). */
const KEY_IN_QUERY = /(?:^|[=&])np(?:_|%5f)[0-9a-z]{8}/i;

/**
 * True when the query string carries something shaped like a NavPlane key (`?key=np_…`, as Gemini's REST examples
 * put theirs). The query is forwarded upstream as sent, so such a request is refused: the key would reach the
 * provider (and any log of URLs) — it belongs in a header.
 */
export function queryCarriesNavPlaneKey(rawQuery: string): boolean {
  return rawQuery !== '' && KEY_IN_QUERY.test(rawQuery);
}

/**
 * Authenticates the NavPlane key (Bearer, x-api-key, or X-NavPlane-Key in passthrough mode) and
 * checks the org is enabled; refuses with the contract's codes before any upstream call.
 */
export function authenticate({
  verify,
  looksLikeProviderKey,
  extract = extractCredentials,
  throttle,
}: AuthenticateOptions): Step<Routed, Authentication> {
  if (typeof verify !== 'function') throw new Error('authenticate: verify is required');
  // A refused credential: counted against the client address, answered 429 once the address is over the limit.
  const failed = async (req: IncomingMessage, refusal: AppError): Promise<AppError> => {
    if (throttle === undefined) return refusal;
    const blockedMs = await throttle.throttle.recordFailure(throttle.clientAddress(req));
    return blockedMs > 0 ? authThrottledError(blockedMs) : refusal;
  };
  return {
    name: 'authenticate',
    async run({ route, rawQuery }, { req }) {
      // A blocked address is refused before its key is looked at: every attempt, valid or not, so guessing stops. While
      // no address is blocked this is one size test; the address is worked out only then.
      if (throttle !== undefined && throttle.throttle.anyBlocked()) {
        const blockedMs = throttle.throttle.check(throttle.clientAddress(req));
        if (blockedMs > 0) return authThrottledError(blockedMs);
      }
      if (queryCarriesNavPlaneKey(rawQuery)) {
        return new AppError(
          'invalid_request',
          `A NavPlane key must not be sent in the URL query, where it would reach the provider: ${HOW_TO_SEND}`,
        );
      }
      const credentials = extract(req.headers, route.adapter, looksLikeProviderKey);
      if (credentials.mode === 'none') return new AppError('missing_api_key', `Missing NavPlane key: ${HOW_TO_SEND}`);
      if (credentials.mode === 'invalid') {
        return failed(
          req,
          new AppError(
            'invalid_api_key',
            credentials.providerKey
              ? 'This is a provider API key, not a NavPlane key: send your NavPlane key (np_…) in its place, or keep your provider key and add "X-NavPlane-Key: np_…" (passthrough)'
              : `Invalid NavPlane key: ${HOW_TO_SEND}`,
          ),
        );
      }
      const result = await verify(credentials.navplaneKey);
      if (!result.valid) {
        // A kill-switched org is still a known tenant: its refusal is traced. A key that is valid but switched off, or
        // a store that cannot be read, is no failed guess.
        if (result.code === 'org_disabled') return new Refusal<Authentication>(REFUSALS.org_disabled(), { key: result.key });
        if (result.code === 'unavailable') return REFUSALS.unavailable();
        return failed(req, REFUSALS[result.code]());
      }
      return credentials.mode === 'passthrough'
        ? { key: result.key, credentialMode: 'passthrough', clientCredential: new UpstreamCredential(credentials.providerHeaders) }
        : { key: result.key, credentialMode: 'vault' };
    },
  };
}

/** Refuses keys without `scope` (403 `permission_denied`). */
export function requireScope(scope: Scope): Step<Authenticated, object> {
  const nothing = {};
  return {
    name: 'requireScope',
    run({ key }) {
      return hasScope(key, scope) ? nothing : new AppError('permission_denied', `This NavPlane key lacks the "${scope}" scope`);
    },
  };
}
