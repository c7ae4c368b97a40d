import type { AdminVerifyResult, AuthThrottle, VerifyResult } from '@navplane/auth';
import { AppError } from '@navplane/core';
import type { Request, RequestHandler, Response } from 'express';
import { setPrincipal } from './principal';

/** Options of authenticate. */
export interface AuthenticateOptions {
  /** The bootstrap token or a stored `npa_…` admin token (argon2id, cached). */
  verifyAdminToken: (presented: string) => Promise<AdminVerifyResult>;
  /** An org's `np_…` key (cached; revocation, expiry and the org kill switch included). */
  verifyKey: (presented: string) => Promise<VerifyResult>;
  /**
   * Brute-force throttling by client address (`req.ip` under NAVPLANE_TRUST_PROXY; docs/security-keys.md, "Brute-force
   * throttling"): a refused credential counts a failure; an address over the limit is refused with 429 before its
   * credential is looked at. Absent: none.
   */
  throttle?: AuthThrottle;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const GATEWAY_KEY_PREFIX = 'np_';

const unauthorized = (res: Response, message: string) => {
  // RFC 6750: tell the client which scheme to use.
  res.setHeader('WWW-Authenticate', 'Bearer realm="navplane-admin"');
  return new AppError('unauthorized', message);
};

/** The 429 of a throttled address: the same whatever the credential (it never says whether one exists). */
const throttled = (retryAfterMs: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('rate_limited', `Too many failed authentications from this address; retry after ${retryAfterSeconds} s`, {
    retryable: true,
    details: { retryAfterSeconds },
  });
};

const unavailable = () =>
  new AppError('auth_unavailable', 'NavPlane cannot verify credentials right now; retry shortly', { retryable: true });

/**
 * Deny by default: `Authorization: Bearer <token>` must be the bootstrap token, a stored admin token (platform
 * admin) or an org's NavPlane key; records the caller (setPrincipal). Refusals: 401 `unauthorized` (missing or not
 * valid), 403 `forbidden` (the key's org is disabled), 503 `auth_unavailable` (the store cannot be read).
 */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  if (typeof options.verifyAdminToken !== 'function' || typeof options.verifyKey !== 'function') {
    throw new Error('authenticate: verifyAdminToken and verifyKey are required');
  }
  const { throttle } = options;
  // A refused credential: counted against the client address; answered 429 once the address is over the limit.
  const refuse = async (req: Request, res: Response): Promise<AppError> => {
    const blockedMs = throttle === undefined ? 0 : await throttle.recordFailure(req.ip ?? 'unknown');
    return blockedMs > 0 ? throttled(blockedMs) : unauthorized(res, 'Invalid credentials');
  };
  return async function authenticateAdmin(req, res, next) {
    // A blocked address is refused before its credential is looked at (one size test while none is blocked).
    if (throttle !== undefined && throttle.anyBlocked()) {
      const blockedMs = throttle.check(req.ip ?? 'unknown');
      if (blockedMs > 0) {
        next(throttled(blockedMs));
        return;
      }
    }
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    const token = match?.[1];
    if (token === undefined) {
      next(unauthorized(res, 'Missing credentials: send "Authorization: Bearer <admin token or NavPlane key>"'));
      return;
    }
    // The bootstrap token is checked first (it may look like anything, even `np_…`); an admin-token check of
    // any other text is a digest comparison and a parse: no I/O unless it is shaped like `npa_…`.
    const admin = await options.verifyAdminToken(token);
    if (admin.valid) {
      setPrincipal(res, { kind: 'platform', admin: admin.actor });
      next();
      return;
    }
    if (admin.code === 'unavailable') {
      next(unavailable());
      return;
    }
    if (admin.code !== 'malformed' || !token.startsWith(GATEWAY_KEY_PREFIX)) {
      next(await refuse(req, res));
      return;
    }
    const verified = await options.verifyKey(token);
    if (verified.valid) {
      setPrincipal(res, { kind: 'org', key: verified.key });
      next();
      return;
    }
    if (verified.code === 'org_disabled') next(new AppError('forbidden', 'This organization is disabled'));
    else if (verified.code === 'unavailable') next(unavailable());
    else next(await refuse(req, res));
  };
}
