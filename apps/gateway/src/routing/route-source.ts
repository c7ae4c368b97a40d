import type { RouteDocument } from '@navplane/routing';

/**
 * The orgs' routing tables as the gateway reads them (docs/routing.md): `get` loads (cached by the store), `peek`
 * answers synchronously from memory when it can (undefined: not known here, call `get`). In service the routes store
 * is kept fresh by the change feed; tests pass an in-memory one.
 */
export interface RouteSource {
  get(orgId: string): Promise<RouteDocument | undefined>;
  peek?(orgId: string): RouteDocument | undefined;
}

const EMPTY: RouteDocument = Object.freeze({ routes: [] as RouteDocument['routes'] });

/** A routing source with no routes for any org (answered synchronously: no promise per request). */
export const NO_ROUTES: RouteSource = Object.freeze({
  get: () => Promise.resolve(EMPTY),
  peek: () => EMPTY,
});
