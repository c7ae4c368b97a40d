import { ok } from '@navplane/core';
import { PLATFORM_ONLY } from '../auth/access-rule';
import { diagnosticsSchema } from '../schemas/diagnostics.schemas';
import { defineRoute } from './route-definition';

/** This process's diagnostics: the figures `navplane doctor --admin-url` shows (docs/admin-api.md, "Diagnostics"). */
export const DIAGNOSTICS_ROUTES = [
  defineRoute({
    operationId: 'getDiagnostics',
    method: 'get',
    path: '/admin/diagnostics',
    tag: 'diagnostics',
    summary: 'This process’s trace queue, drops by reason, change-feed lag, caches, circuit breakers and upstream pools',
    description:
      'Every figure is this process’s own (`process` says which one): with `navplane serve` the gateway and the admin API ' +
      'share a process and `gateway` is filled in; a gateway run apart (`serve --only gateway`, several instances behind a ' +
      'load balancer) reports its own figures on its `/metrics`, and `gateway` is null here. Never holds a secret.',
    access: PLATFORM_ONLY,
    status: 200,
    response: diagnosticsSchema,
    handle: async ({ deps }) => ok(await deps.diagnostics()),
  }),
];
