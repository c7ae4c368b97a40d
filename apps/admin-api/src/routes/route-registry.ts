import { ADMIN_TOKEN_ROUTES } from './admin-tokens.routes';
import { AUDIT_ROUTES } from './audit.routes';
import { DIAGNOSTICS_ROUTES } from './diagnostics.routes';
import { ORG_KEY_ROUTES } from './org-keys.routes';
import { ORG_LIMIT_ROUTES } from './org-limits.routes';
import { ORG_ROUTE_ROUTES } from './org-routes.routes';
import { ORG_WEBHOOK_SECRET_ROUTES } from './org-webhook-secret.routes';
import { ORG_ROUTES } from './orgs.routes';
import { POLICY_ROUTES } from './policies.routes';
import { PROVIDER_KEY_ROUTES } from './provider-keys.routes';
import { REQUEST_ROUTES } from './requests.routes';
import type { AdminRoute } from './route-definition';
import { USAGE_ROUTES } from './usage.routes';
import { WORKSPACE_ROUTES } from './workspaces.routes';

/**
 * Every authenticated admin route, in one list: the router registers these, the OpenAPI document is generated
 * from these, and the shared auth-and-tenancy suite runs against each of these. A route not listed here does not
 * exist.
 */
export const ADMIN_ROUTES: readonly AdminRoute[] = Object.freeze([
  ...ORG_ROUTES,
  ...WORKSPACE_ROUTES,
  ...ORG_KEY_ROUTES,
  ...PROVIDER_KEY_ROUTES,
  ...REQUEST_ROUTES,
  ...USAGE_ROUTES,
  ...POLICY_ROUTES,
  ...ORG_ROUTE_ROUTES,
  ...ORG_LIMIT_ROUTES,
  ...ORG_WEBHOOK_SECRET_ROUTES,
  ...AUDIT_ROUTES,
  ...ADMIN_TOKEN_ROUTES,
  ...DIAGNOSTICS_ROUTES,
]);
