import { expect } from '@jest/globals';
import { bodyAs } from '@navplane/testing';
import { z } from 'zod';
import { ADMIN_ROUTES } from '../routes/route-registry';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness.fixture';
import { OPENAPI_PATH, toOpenApiPath, type OpenApiDocument } from './openapi-document';

// docs/admin-api.md, to the letter: each must be a registered (hence documented and auth-tested) route.
const CONTRACT_ROUTES = [
  'POST /admin/orgs',
  'GET /admin/orgs',
  'GET /admin/orgs/:orgId',
  'PUT /admin/orgs/:orgId/enabled',
  'POST /admin/orgs/:orgId/workspaces',
  'POST /admin/orgs/:orgId/keys',
  'GET /admin/orgs/:orgId/keys',
  'POST /admin/orgs/:orgId/keys/:keyId/rotate',
  'DELETE /admin/orgs/:orgId/keys/:keyId',
  'PUT /admin/orgs/:orgId/provider-keys/:provider',
  'GET /admin/orgs/:orgId/provider-keys',
  'DELETE /admin/orgs/:orgId/provider-keys/:provider',
  'GET /admin/orgs/:orgId/requests',
  'GET /admin/traces/:traceId',
  'GET /admin/orgs/:orgId/usage',
  'GET /admin/orgs/:orgId/policies',
  'PUT /admin/orgs/:orgId/policies',
  'GET /admin/orgs/:orgId/routes',
  'PUT /admin/orgs/:orgId/routes',
  'GET /admin/orgs/:orgId/limits',
  'PUT /admin/orgs/:orgId/limits',
  'GET /admin/audit',
  'POST /admin/admin-tokens',
];

const withoutDialect = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return json;
};

describe('the OpenAPI document', () => {
  let h: AdminHarness;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    h = await startAdminHarness('sqlite');
    const res = await h.http().get(OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = bodyAs<OpenApiDocument>(res);
  });
  afterAll(() => h.close());

  it('is OpenAPI 3.1 with a bearer security scheme required by default and the error envelope', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc['security']).toEqual([{ bearerAuth: [] }]);
    expect(doc.components['securitySchemes']).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    const error = doc.components['schemas']?.['Error'] as { properties: { error: { required: string[] } } };
    expect(error.properties.error.required).toEqual(['message', 'type', 'code']);
    expect(doc.paths[OPENAPI_PATH]?.['get']?.['security']).toEqual([]);
  });

  it('registers every route of docs/admin-api.md', () => {
    const registered = ADMIN_ROUTES.map((route) => `${route.method.toUpperCase()} ${route.path}`);
    expect(registered).toEqual(expect.arrayContaining(CONTRACT_ROUTES));
  });

  it.each(ADMIN_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    'describes %s from the schemas that validate it',
    (_name, route) => {
      const operation = doc.paths[toOpenApiPath(route.path)]?.[route.method];
      if (operation === undefined) throw new Error('route missing from the document');
      expect(operation['operationId']).toBe(route.operationId);
      expect(operation['security']).toBeUndefined(); // inherits bearerAuth

      const parameters = operation['parameters'] as { name: string; in: string; required: boolean }[];
      const pathParams = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
      expect(parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(Object.keys(route.query?.shape ?? {}));

      const body = (operation['requestBody'] as { content: Record<string, { schema: unknown }> } | undefined)?.content['application/json']
        ?.schema;
      if (route.body === undefined) expect(body).toBeUndefined();
      else {
        expect(body).toEqual(withoutDialect(route.body, 'input'));
        // The documented example is a valid request.
        expect(route.body.safeParse(route.example?.body ?? {}).success).toBe(true);
      }

      const responses = operation['responses'] as Record<string, { content?: Record<string, { schema: unknown }>; $ref?: string }>;
      const success = responses[String(route.status)];
      if (route.response === undefined) expect(success?.content).toBeUndefined();
      else expect(success?.content?.['application/json']?.schema).toEqual(withoutDialect(route.response, 'output'));
      for (const status of ['401', '403', '500']) expect(responses[status]?.$ref).toBe(`#/components/responses/Error${status}`);
      for (const ref of Object.values(responses).flatMap((r) => (r.$ref === undefined ? [] : [r.$ref]))) {
        expect(doc.components['responses']?.[ref.split('/').pop() ?? '']).toBeDefined();
      }
    },
  );

  it('documents nothing that is not registered', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    const registered = ADMIN_ROUTES.map((route) => `${route.method} ${toOpenApiPath(route.path)}`);
    expect(documented.sort()).toEqual([...registered, `get ${OPENAPI_PATH}`, 'get /healthz', 'get /readyz'].sort());
  });
});
