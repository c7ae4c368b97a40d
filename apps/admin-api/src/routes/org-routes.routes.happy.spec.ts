import { expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANGE_TOPICS } from '@navplane/storage';
import { loadbalanceRoute, routeTable, smartFallbackRoute, TEST_DIALECTS } from '@navplane/testing';
import { routeDocumentSchema } from '../schemas/route.schemas';
import {
  bearer,
  BOOTSTRAP_TOKEN,
  SEEDED_OPENAI_KEY,
  startAdminHarness,
  type AdminHarness,
  type SeededTenant,
} from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

const VLLM_KEY = 'vllm-token-0123456789VLLM';

describe.each(TEST_DIALECTS)('routes: happy paths (%s)', (dialect) => {
  let dir: string;
  let h: AdminHarness;
  let t: SeededTenant;
  beforeAll(async () => {
    // An operator-defined provider (docs/configuration.md) is a provider of the registry routes are checked against.
    dir = await mkdtemp(join(tmpdir(), 'navplane-admin-routes-'));
    const file = join(dir, 'navplane.yaml');
    await writeFile(file, 'providers:\n  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }\n');
    h = await startAdminHarness(dialect, { env: { NAVPLANE_CONFIG: file } });
    t = await h.seedTenant();
    const stored = await h.http().put(`/admin/orgs/${t.orgId}/provider-keys/vllm`).set(bearer(BOOTSTRAP_TOKEN)).send({ key: VLLM_KEY });
    expect(stored.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts empty, replaces the whole table (200, defaults filled in), announces routes.changed and audits it', async () => {
    // The shared sample table (libs/testing), its fallback route ending at the operator-defined vllm provider.
    const table = routeTable(
      smartFallbackRoute({
        second: { provider: 'vllm', model: 'llama-3.3-70b', key: 'default', weight: 3 },
        retry: { attempts: 3, on: ['connect', 'timeout'] },
      }),
      loadbalanceRoute('split', [{ provider: 'openai', model: 'gpt-4.1-mini', weight: 1 }]),
    );
    const empty = await h.http().get(`/admin/orgs/${t.orgId}/routes`).set(bearer(t.adminKey));
    expect([empty.status, empty.body]).toEqual([200, { routes: [] }]);

    const seen: unknown[] = [];
    const unsubscribe = h.runtime.changeFeed.subscribe(CHANGE_TOPICS.routesChanged, (payload) => {
      seen.push(payload);
    });
    const res = await h.http().put(`/admin/orgs/${t.orgId}/routes`).set(bearer(t.adminKey)).send(table.input);
    unsubscribe();
    const expected = table.stored;
    expect([res.status, bodyOf(res, routeDocumentSchema)]).toEqual([200, expected]);
    expect(seen).toEqual([{ orgId: t.orgId }]);

    const read = await h.http().get(`/admin/orgs/${t.orgId}/routes`).set(bearer(BOOTSTRAP_TOKEN));
    expect([read.status, read.body]).toEqual([200, expected]);

    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'routes.put',
      actorType: 'gateway_key',
      targetType: 'org',
      targetId: t.orgId,
      details: {
        count: 2,
        routes: expected.routes.map(({ model, strategy, targets }) => ({ model, strategy, targets })),
      },
    });
    const audited = JSON.stringify(await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1000 }));
    expect(audited).not.toContain(SEEDED_OPENAI_KEY);
    expect(audited).not.toContain(VLLM_KEY);

    const cleared = await h.http().put(`/admin/orgs/${t.orgId}/routes`).set(bearer(BOOTSTRAP_TOKEN)).send({ routes: [] });
    expect([cleared.status, cleared.body]).toEqual([200, { routes: [] }]);
    expect((await h.http().get(`/admin/orgs/${t.orgId}/routes`).set(bearer(t.adminKey))).body).toEqual({ routes: [] });
  });

  it('describes both routes in the OpenAPI document, the PUT body as the routing table’s schema', async () => {
    const doc = (await h.http().get('/admin/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>;
    };
    const path = doc.paths['/admin/orgs/{orgId}/routes'];
    expect(Object.keys(path ?? {}).sort()).toEqual(['get', 'put']);
    const body = path?.['put']?.requestBody?.content['application/json']?.schema;
    expect(body).toMatchObject({ type: 'object', required: ['routes'], properties: { routes: { type: 'array', maxItems: 200 } } });
  });
});
