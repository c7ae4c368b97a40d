import { AppError, errorMessage } from '@navplane/core';
import { invalidRequestFromZod } from '@navplane/operations';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { canSeeOrg, checkAccess } from '../auth/access-rule';
import { authenticate, type AuthenticateOptions } from '../auth/authenticate.middleware';
import { auditActorOf, orgScopeOf, principalOf } from '../auth/principal';
import type { AdminRoute, RouteDeps } from './route-definition';

/** Options of mountRoutes. */
export interface MountRoutesOptions extends AuthenticateOptions {
  readonly deps: RouteDeps;
  /** Largest JSON body accepted, in bytes (default 262144). */
  readonly maxBodyBytes?: number;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** `data` as `schema` parses it (an absent schema: `{}`), or the invalid_request error. */
function parseWith(schema: z.ZodType | undefined, data: unknown): unknown {
  if (schema === undefined) return {};
  const parsed = schema.safeParse(data);
  return parsed.success ? parsed.data : invalidRequestFromZod(parsed.error, data);
}

/** The `orgId` of parsed params or query, if they have one. */
const orgIdOf = (parsed: unknown): unknown =>
  typeof parsed === 'object' && parsed !== null && 'orgId' in parsed ? parsed.orgId : undefined;

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

const noSuchOrg = () => new AppError('not_found', 'No such org');

/**
 * Registers every route of `routes` on a router: authenticate → access rule (403) → path params → tenancy (another
 * org's objects: 404) → query → JSON body (parsed only now, after the caller is known; unknown fields 400) →
 * handler → response serialised through its schema (an allow-list) with the route's status.
 */
export function mountRoutes(routes: readonly AdminRoute[], options: MountRoutesOptions): Router {
  const router = Router();
  const authenticateCaller = authenticate(options);
  const parseJson = express.json({ limit: options.maxBodyBytes ?? 262_144, strict: true, type: JSON_TYPES });
  const readJson = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) =>
      parseJson(req, res, (error?: unknown) => {
        // body-parser fails with http-errors (Errors carrying status and type); anything else is wrapped as one.
        if (error) reject(error instanceof Error ? error : new Error(errorMessage(error)));
        else resolve();
      }),
    );

  for (const route of routes) {
    const handleRoute: RequestHandler = async function handleRoute(req, res, next) {
      const principal = principalOf(res);
      const access = checkAccess(route.access, principal);
      if (!access.ok) return next(access.error);

      const params = parseWith(route.params, { ...req.params });
      if (params instanceof AppError) return next(params);
      const pathOrg = orgIdOf(params);
      if (route.access.kind === 'org' && (typeof pathOrg !== 'string' || !canSeeOrg(principal, pathOrg))) {
        return next(noSuchOrg());
      }

      const query = parseWith(route.query, { ...req.query });
      if (query instanceof AppError) return next(query);
      const queryOrg = orgIdOf(query);
      if (route.access.kind === 'org-query' && typeof queryOrg === 'string' && !canSeeOrg(principal, queryOrg)) {
        return next(noSuchOrg());
      }

      let body: unknown = {};
      if (route.body !== undefined && hasBody(req)) {
        if (!req.is(JSON_TYPES)) return next(new AppError('unsupported_media_type', 'Send the request body as application/json'));
        await readJson(req, res);
        body = req.body ?? {};
      }
      const parsedBody = parseWith(route.body, body);
      if (parsedBody instanceof AppError) return next(parsedBody);

      const result = await route.handle({
        params,
        query,
        body: parsedBody,
        principal,
        actor: auditActorOf(principal, req.ip),
        orgScope: orgScopeOf(principal),
        deps: options.deps,
      });
      if (!result.ok) return next(result.error);
      if (route.response === undefined) {
        res.status(route.status).end();
        return;
      }
      // Fields the schema does not name are dropped: a hash or a ciphertext can never slip into a response.
      res.status(route.status).json(route.response.parse(result.value));
    };
    router[route.method](route.path, authenticateCaller, handleRoute);
  }
  return router;
}
