// The shared auth-and-tenancy suite: it runs against EVERY route of the registry, so a route added without the
// rules (or without a working example call) fails here.
import { expect } from '@jest/globals';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import type { Response } from 'supertest';
import { ADMIN_ROUTES } from './routes/route-registry';
import type { AdminRoute } from './routes/route-definition';
import { callRoute, type RouteValues } from './testing/route-call.fixture';
import {
  startAdminHarness,
  unwrap,
  SEED_ACTOR,
  BOOTSTRAP_TOKEN,
  type AdminHarness,
  type SeededTenant,
} from './testing/admin-harness.fixture';

jest.setTimeout(60_000);

const valuesOf = (tenant: SeededTenant, tokenId: string): RouteValues => ({
  orgId: tenant.orgId,
  keyId: tenant.targetKeyId,
  traceId: tenant.traceId,
  workspaceId: tenant.workspaceId,
  provider: 'openai',
  tokenId,
});

const expectError = (res: Response, status: number, code: string) => {
  expect({ status: res.status, body: bodyAs<unknown>(res) }).toEqual({ status, body: { error: expect.objectContaining({ code }) } });
};

const routeName = (route: AdminRoute) => `${route.method.toUpperCase()} ${route.path}`;
const accepts = (route: AdminRoute, scope: string) =>
  route.access.kind !== 'platform' && (route.access.scopes as readonly string[]).includes(scope);

describe.each(TEST_DIALECTS)('auth and tenancy on every admin route (%s)', (dialect) => {
  let h: AdminHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  let aValues: RouteValues;
  let badCredentials: string[];

  beforeAll(async () => {
    h = await startAdminHarness(dialect);
    [a, b] = await Promise.all([h.seedTenant('A'), h.seedTenant('B')]);
    const spareToken = await h.adminToken('spare');
    aValues = valuesOf(a, spareToken.id);
    const revokedKey = await h.issueKey(a.orgId, ['admin'], 'revoked');
    unwrap(await h.ops.keys.revoke(a.orgId, revokedKey.id, SEED_ACTOR));
    const revokedToken = await h.adminToken('revoked');
    unwrap(await h.ops.adminTokens.revoke(revokedToken.id, SEED_ACTOR));
    badCredentials = [
      'Bearer not-a-token',
      `Bearer ${BOOTSTRAP_TOKEN}x`,
      `Bearer ${a.adminKey.slice(0, -1)}${a.adminKey.endsWith('A') ? 'B' : 'A'}`,
      `Bearer ${revokedKey.key}`,
      `Bearer ${revokedToken.token}`,
      `Basic ${Buffer.from(`admin:${BOOTSTRAP_TOKEN}`).toString('base64')}`,
      'Bearer',
    ];
  });
  afterAll(() => h.close());

  it('covers a non-trivial registry', () => {
    expect(ADMIN_ROUTES.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(ADMIN_ROUTES.map((route) => [routeName(route), route] as const))('%s', (_name, route) => {
    it('answers 401 unauthorized without a token', async () => {
      const res = await callRoute(h.http(), route, aValues);
      expectError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('answers 401 unauthorized to bad, tampered and revoked tokens', async () => {
      for (const authorization of badCredentials) {
        const res = await callRoute(h.http(), route, aValues, authorization);
        expectError(res, 401, 'unauthorized');
      }
    });

    it('answers 403 forbidden to a proxy-only key of the same org', async () => {
      expectError(await callRoute(h.http(), route, aValues, `Bearer ${a.proxyKey}`), 403, 'forbidden');
    });

    it(`answers another org's admin key with ${route.access.kind === 'platform' ? '403' : '404'}`, async () => {
      const res = await callRoute(h.http(), route, aValues, `Bearer ${b.adminKey}`);
      if (route.access.kind === 'platform') expectError(res, 403, 'forbidden');
      else {
        expectError(res, 404, 'not_found');
        // Nothing of org A may leak into the refusal.
        expect(JSON.stringify(res.body)).not.toContain(a.orgId.slice(4));
      }
    });

    it('lets traces:read and analytics:read keys reach only their own routes', async () => {
      for (const [scope, key] of [
        ['traces:read', a.tracesKey],
        ['analytics:read', a.analyticsKey],
      ] as const) {
        const res = await callRoute(h.http(), route, aValues, `Bearer ${key}`);
        if (accepts(route, scope)) expect(res.status).toBe(route.status);
        else expectError(res, 403, 'forbidden');
      }
    });

    it('accepts the right credential with the route status', async () => {
      // A fresh tenant per route, so a mutation here never disturbs the other checks.
      const c = await h.seedTenant('C');
      const token = await h.adminToken('target');
      const credential = route.access.kind === 'platform' ? (await h.adminToken('caller')).token : c.adminKey;
      const res = await callRoute(h.http(), route, valuesOf(c, token.id), `Bearer ${credential}`);
      expect({ status: res.status, body: res.status === route.status ? 'ok' : bodyAs<unknown>(res) }).toEqual({
        status: route.status,
        body: 'ok',
      });
    });
  });
});
