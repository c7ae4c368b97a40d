import { expect } from '@jest/globals';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { WEBHOOK_SECRET_NAME } from '@navplane/limits';
import { putLimitsAnswerSchema } from '../schemas/limit.schemas';
import { adminSuite, bearer, BOOTSTRAP_TOKEN } from '../testing/admin-harness.fixture';
import { bodyOf } from '../testing/response-body.fixture';

const HOOK_TOKEN = 'hook-token-in-the-path-0123456789';

describe.each(TEST_DIALECTS)('limits: happy paths (%s)', (dialect) => {
  const suite = adminSuite(dialect);

  it('starts empty, replaces the whole document (200, normalized), announces limits.changed and audits it', async () => {
    const { h, t } = suite;
    const empty = await h.http().get(`/admin/orgs/${t.orgId}/limits`).set(bearer(t.adminKey));
    expect([empty.status, empty.body]).toEqual([200, { limits: [] }]);

    const webhookUrl = `https://alerts.example.com/hooks/${HOOK_TOKEN}`;
    const document = {
      limits: [
        { scope: { type: 'org', id: t.orgId }, rpm: 600, tpm: 200_000, budget: { usd: 50, period: 'month' } },
        { scope: { type: 'workspace', id: t.workspaceId }, concurrency: 20 },
        { scope: { type: 'key', id: t.targetKeyId }, budget: { usd: 5, period: 'day' }, alerts: { thresholds: [1, 0.5], webhookUrl } },
      ],
    };
    const expected = {
      limits: [
        { scope: { type: 'org' }, rpm: 600, tpm: 200_000, budget: { usd: 50, period: 'month' } },
        { scope: { type: 'workspace', id: t.workspaceId }, concurrency: 20 },
        { scope: { type: 'key', id: t.targetKeyId }, budget: { usd: 5, period: 'day' }, alerts: { thresholds: [0.5, 1], webhookUrl } },
      ],
    };

    const seen: unknown[] = [];
    const unsubscribe = h.runtime.changeFeed.subscribe(CHANGE_TOPICS.limitsChanged, (payload) => {
      seen.push(payload);
    });
    const res = await h.http().put(`/admin/orgs/${t.orgId}/limits`).set(bearer(t.adminKey)).send(document);
    unsubscribe();
    // The first document with alerts creates the org's webhook secret: answered this once, as `webhookSecret`.
    const { webhookSecret, ...answer } = bodyOf(res, putLimitsAnswerSchema);
    expect([res.status, answer]).toEqual([200, expected]);
    expect(await h.runtime.vault.getProviderKey(t.orgId, WEBHOOK_SECRET_NAME)).toEqual({ ok: true, key: webhookSecret });
    expect(seen).toEqual([{ orgId: t.orgId }]);
    const again = await h.http().put(`/admin/orgs/${t.orgId}/limits`).set(bearer(t.adminKey)).send(document);
    expect([again.status, again.body]).toEqual([200, expected]);
    expect(JSON.stringify(await h.runtime.repos.auditLog.list({ orgId: t.orgId }))).not.toContain(String(webhookSecret));

    const read = await h.http().get(`/admin/orgs/${t.orgId}/limits`).set(bearer(BOOTSTRAP_TOKEN));
    expect([read.status, read.body]).toEqual([200, expected]);

    const [audit] = await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'limits.put',
      actorType: 'gateway_key',
      targetType: 'org',
      targetId: t.orgId,
      details: {
        count: 3,
        limits: [
          expected.limits[0],
          expected.limits[1],
          {
            scope: { type: 'key', id: t.targetKeyId },
            budget: { usd: 5, period: 'day' },
            alerts: { thresholds: [0.5, 1], webhook: 'https://alerts.example.com' },
          },
        ],
      },
    });
    expect(JSON.stringify(await h.runtime.repos.auditLog.list({ orgId: t.orgId, limit: 1000 }))).not.toContain(HOOK_TOKEN);

    const cleared = await h.http().put(`/admin/orgs/${t.orgId}/limits`).set(bearer(BOOTSTRAP_TOKEN)).send({ limits: [] });
    expect([cleared.status, cleared.body]).toEqual([200, { limits: [] }]);
    expect((await h.http().get(`/admin/orgs/${t.orgId}/limits`).set(bearer(t.adminKey))).body).toEqual({ limits: [] });
  });

  it('describes both routes in the OpenAPI document, the PUT body as the limits document’s schema', async () => {
    const { h } = suite;
    const doc = (await h.http().get('/admin/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>
      >;
    };
    const path = doc.paths['/admin/orgs/{orgId}/limits'];
    expect(Object.keys(path ?? {}).sort()).toEqual(['get', 'put']);
    expect([path?.['get']?.operationId, path?.['put']?.operationId]).toEqual(['getLimits', 'putLimits']);
    const body = path?.['put']?.requestBody?.content['application/json']?.schema;
    expect(body).toMatchObject({ type: 'object', required: ['limits'], properties: { limits: { type: 'array', maxItems: 1000 } } });
  });
});
