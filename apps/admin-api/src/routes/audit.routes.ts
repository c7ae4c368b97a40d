import { ok } from '@navplane/core';
import type { AccessRule } from '../auth/access-rule';
import { pageOf } from '../schemas/common.schemas';
import { auditEntrySchema, auditQuery } from '../schemas/audit.schemas';
import { defineRoute } from './route-definition';

/** Platform admins see every record; an org's admin key sees its own org's only (the default filter). */
const AUDIT_READ: AccessRule = Object.freeze({ kind: 'org-query', scopes: Object.freeze(['admin'] as const) });

/** The audit log. */
export const AUDIT_ROUTES = [
  defineRoute({
    operationId: 'listAudit',
    method: 'get',
    path: '/admin/audit',
    tag: 'audit',
    summary: 'The audit log, newest first: who did what, when, from where (never secrets)',
    access: AUDIT_READ,
    query: auditQuery,
    status: 200,
    response: pageOf(auditEntrySchema),
    errors: [400, 404],
    example: { query: { orgId: '{orgId}', limit: '50' } },
    async handle({ query, orgScope, deps }) {
      const page = await deps.operations.audit.list({ orgId: query.orgId ?? orgScope, limit: query.limit, before: query.before });
      if (!page.ok) return page;
      return ok({ data: page.value.items, nextCursor: page.value.nextCursor });
    },
  }),
];
