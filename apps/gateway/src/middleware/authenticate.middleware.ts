import { hasScope, type KeyRefusalCode, type Scope, type VerifyResult } from '@navplane/auth';
import { AppError } from '@navplane/core';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';
import { extractCredentials } from './extract-credentials';

/** Options of authenticate. */
export interface AuthenticateOptions {
  /** Verifies a presented NavPlane key (cached; no DB query when warm). */
  verify: (presented: string) => Promise<VerifyResult>;
}

const REFUSALS: Record<KeyRefusalCode, () => AppError> = {
  malformed: () => new AppError('invalid_api_key', 'Invalid NavPlane key'),
  unknown: () => new AppError('invalid_api_key', 'Invalid NavPlane key'),
  revoked: () => new AppError('invalid_api_key', 'This NavPlane key has been revoked'),
  expired: () => new AppError('invalid_api_key', 'This NavPlane key has expired'),
  org_disabled: () => new AppError('org_disabled', 'This organization is disabled'),
  unavailable: () =>
    new AppError('auth_unavailable', 'NavPlane cannot verify keys right now; retry shortly', { retryable: true }),
};

/**
 * Authenticates the NavPlane key (Bearer, x-api-key, or X-NavPlane-Key in passthrough mode) and
 * checks the org is enabled; refuses with the contract's codes before any upstream call.
 */
export function authenticate({ verify }: AuthenticateOptions): RequestHandler {
  if (typeof verify !== 'function') throw new Error('authenticate: verify is required');
  return async function authenticateKey(req, res, next) {
    const context = contextOf(res);
    const route = context.route;
    if (route === undefined) throw new Error('authenticate runs after resolveRoute');
    const credentials = extractCredentials(req.headers, route.adapter);
    if (credentials.mode === 'none') {
      next(
        new AppError(
          'missing_api_key',
          'Missing NavPlane key: send it as "Authorization: Bearer np_…", "x-api-key: np_…", or "X-NavPlane-Key: np_…" with your own provider key',
        ),
      );
      return;
    }
    const result = await verify(credentials.navplaneKey);
    if (!result.valid) {
      // A kill-switched org is still a known tenant: its refusal is traced.
      if (result.code === 'org_disabled') context.key = result.key;
      next(REFUSALS[result.code]());
      return;
    }
    context.key = result.key;
    context.credentialMode = credentials.mode;
    if (credentials.mode === 'passthrough') res.locals['providerHeaders'] = credentials.providerHeaders;
    next();
  };
}

/** Refuses keys without `scope` (403 `permission_denied`). */
export function requireScope(scope: Scope): RequestHandler {
  return function checkScope(_req, res, next) {
    const key = contextOf(res).key;
    if (key === undefined || !hasScope(key, scope)) {
      next(new AppError('permission_denied', `This NavPlane key lacks the "${scope}" scope`));
      return;
    }
    next();
  };
}
