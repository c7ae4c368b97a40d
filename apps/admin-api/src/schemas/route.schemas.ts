import { ROUTE_DOCUMENT_SCHEMA } from '@navplane/routing';
import { z } from 'zod';

const { $schema: _dialect, ...documentInput } = z.toJSONSchema(ROUTE_DOCUMENT_SCHEMA, { io: 'input' });

/**
 * `PUT /admin/orgs/:orgId/routes` body: the whole routing table. Described in OpenAPI as the document's schema, but
 * accepted as any JSON here: the operation validates it whole (`parseRouteDocument`), so a 400 lists every problem with
 * its path instead of stopping at the first one.
 */
export const putRoutesBody = z.unknown().meta(documentInput);

/** The stored routing table, every default filled in (`strategy`, each target's `key`). */
export const routeDocumentSchema = ROUTE_DOCUMENT_SCHEMA;
