import type { z } from 'zod';
import { errorEnvelopeSchema } from '../schemas/common.schemas';
import type { AdminRoute } from '../routes/route-definition';
import { isJsonObject, toOpenApiSchema, type JsonSchema } from './json-schema';

/** The path of the OpenAPI document itself (no authentication). */
export const OPENAPI_PATH = '/admin/openapi.json';

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, Record<string, unknown>>;
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid_request: a field is missing, malformed or unknown (`param` names it)',
  401: 'unauthorized: missing or invalid bearer token',
  403: 'forbidden: the credential may not call this route (a platform route, a missing scope, or a disabled org)',
  404: "not_found: no such object — or another org's (never revealed)",
  409: 'conflict: the object is not in a state that allows this (e.g. rotating a revoked key)',
  413: 'request_too_large: body over 256 KiB',
  415: 'unsupported_media_type: the body is not application/json',
  500: 'internal_error (retryable when a change was saved but not yet announced to every instance)',
  503:
    'auth_unavailable: credentials cannot be verified right now; storage_unavailable: the database is unavailable right now ' +
    '(down, unreachable or locked); both carry Retry-After',
};

const ALWAYS = [401, 403, 500, 503];

/** `/admin/orgs/:orgId` → `/admin/orgs/{orgId}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (schema === undefined) return [];
  const json = toOpenApiSchema(schema, 'input');
  const properties = isJsonObject(json['properties']) ? Object.entries(json['properties']) : [];
  const required = new Set<unknown>(Array.isArray(json['required']) ? json['required'] : []);
  return properties
    .filter((entry): entry is [string, JsonSchema] => isJsonObject(entry[1]))
    .map(([name, property]) => {
      const { description, ...propertySchema } = property;
      return {
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      };
    });
}

function operation(route: AdminRoute): Record<string, unknown> {
  const statuses = new Set([...ALWAYS, ...(route.errors ?? [])]);
  if (route.params !== undefined || route.query !== undefined || route.body !== undefined) statuses.add(400);
  if (route.body !== undefined) {
    statuses.add(413);
    statuses.add(415);
  }
  const responses: Record<string, unknown> = {
    [route.status]:
      route.response === undefined
        ? { description: 'Done (no content)' }
        : { description: 'OK', content: { 'application/json': { schema: toOpenApiSchema(route.response, 'output') } } },
  };
  for (const status of [...statuses].sort()) responses[status] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    'x-navplane-access':
      route.access.kind === 'platform' ? 'platform admin' : `platform admin, or an org key with: ${route.access.scopes.join(' | ')}`,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: toOpenApiSchema(route.body, 'input'),
                ...(route.example?.body === undefined ? {} : { example: route.example.body }),
              },
            },
          },
        }),
    responses,
  };
}

const unauthenticated = (operationId: string, summary: string, schema: JsonSchema) => ({
  get: {
    operationId,
    summary,
    tags: ['meta'],
    security: [],
    responses: { 200: { description: 'OK', content: { 'application/json': { schema } } } },
  },
});

/** The OpenAPI 3.1 document of `routes`, generated from the same zod schemas that validate them. */
export function buildOpenApiDocument(routes: readonly AdminRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    const item = paths[path];
    if (item[route.method] !== undefined) throw new Error(`Duplicate route ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operation(route);
  }
  paths[OPENAPI_PATH] = unauthenticated('getOpenApiDocument', 'This OpenAPI document', { type: 'object' });
  paths['/healthz'] = unauthenticated('liveness', 'Liveness probe', { type: 'object', properties: { status: { const: 'ok' } } });
  paths['/readyz'] = unauthenticated('readiness', 'Readiness probe (503 with the failing checks when not ready)', { type: 'object' });

  const errorResponses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(ERROR_DESCRIPTIONS)) {
    errorResponses[`Error${status}`] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'NavPlane admin API',
      version,
      description:
        'JSON API for dashboards. Authenticate with `Authorization: Bearer <token>`: a platform-admin token ' +
        '(NAVPLANE_ADMIN_TOKEN or `npa_…`) reaches every org; an org NavPlane key (`np_…`) reaches only its own ' +
        'org, by scope (`admin`; `traces:read` for requests and traces; `analytics:read` for usage).',
    },
    tags: [...new Set(routes.map((route) => route.tag)), 'meta'].map((name) => ({ name })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Platform-admin token or an org NavPlane key with a scope' },
      },
      schemas: { Error: toOpenApiSchema(errorEnvelopeSchema, 'output') },
      responses: errorResponses,
    },
  };
}
