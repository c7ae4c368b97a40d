import { expect } from '@jest/globals';
import { toIso } from '@navplane/core';
import { periodWindow, signAlert, WEBHOOK_SECRET_NAME } from '@navplane/limits';
import { TEST_DIALECTS } from '@navplane/testing';
import { webhookSecretSchema } from '../schemas/budget.schemas';
import { usageReportSchema } from '../schemas/usage.schemas';
import { adminSuite, bearer, BOOTSTRAP_TOKEN } from '../testing/admin-harness.fixture';
import { bodyOf, errorOf } from '../testing/response-body.fixture';

describe.each(TEST_DIALECTS)('usage budgets and the webhook secret (%s)', (dialect) => {
  const suite = adminSuite(dialect);

  it('shows each budget of the org’s limits with spent, reserved and remaining for the current period', async () => {
    const { h, t } = suite;
    const none = await h.http().get(`/admin/orgs/${t.orgId}/usage`).set(bearer(t.analyticsKey));
    expect(bodyOf(none, usageReportSchema).budgets).toEqual([]);

    await h.runtime.repos.limits.put(
      t.orgId,
      {
        limits: [
          { scope: { type: 'org' }, rpm: 100, budget: { usd: 50, period: 'month' } },
          { scope: { type: 'key', id: t.targetKeyId }, budget: { usd: 2, period: 'day' } },
          { scope: { type: 'workspace', id: t.workspaceId }, tpm: 1000 },
        ],
      },
      toIso(Date.now()),
    );
    const month = periodWindow('month', Date.now());
    const day = periodWindow('day', Date.now());
    await h.runtime.repos.budgets.addSpend(
      { orgId: t.orgId, scopeKey: 'org', period: 'month', periodStart: month.start },
      12.5,
      2,
      toIso(Date.now()),
    );
    await h.runtime.repos.budgets.addSpend(
      { orgId: t.orgId, scopeKey: `key:${t.targetKeyId}`, period: 'day', periodStart: day.start },
      3,
      0,
      toIso(Date.now()),
    );
    // Last month's spend is not this month's.
    await h.runtime.repos.budgets.addSpend(
      { orgId: t.orgId, scopeKey: 'org', period: 'month', periodStart: '2000-01-01' },
      40,
      0,
      toIso(Date.now()),
    );

    const res = await h.http().get(`/admin/orgs/${t.orgId}/usage`).set(bearer(t.analyticsKey));
    expect(res.status).toBe(200);
    expect(bodyOf(res, usageReportSchema).budgets).toEqual([
      {
        scope: { type: 'org' },
        usd: 50,
        period: 'month',
        periodStart: month.start,
        resetsAt: new Date(month.endMs).toISOString(),
        spentUsd: 12.5,
        reservedUsd: 0,
        remainingUsd: 37.5,
        unpricedRequests: 2,
      },
      {
        scope: { type: 'key', id: t.targetKeyId },
        usd: 2,
        period: 'day',
        periodStart: day.start,
        resetsAt: new Date(day.endMs).toISOString(),
        spentUsd: 3,
        reservedUsd: 0,
        remainingUsd: 0,
        unpricedRequests: 0,
      },
    ]);
  });

  it('rotates the webhook secret (org admin or platform admin), returns it once, signs with it, audits without it', async () => {
    const { h, t } = suite;
    const first = await h.http().post(`/admin/orgs/${t.orgId}/limits/webhook-secret`).set(bearer(t.adminKey));
    expect(first.status).toBe(200);
    const { webhookSecret } = bodyOf(first, webhookSecretSchema);
    expect(webhookSecret.length).toBeGreaterThanOrEqual(40);
    const stored = await h.runtime.vault.getProviderKey(t.orgId, WEBHOOK_SECRET_NAME);
    expect(stored).toEqual({ ok: true, key: webhookSecret });
    expect(signAlert('{}', webhookSecret)).toMatch(/^sha256=[0-9a-f]{64}$/);

    const second = await h.http().post(`/admin/orgs/${t.orgId}/limits/webhook-secret`).set(bearer(BOOTSTRAP_TOKEN));
    expect(bodyOf(second, webhookSecretSchema).webhookSecret).not.toBe(webhookSecret);

    const audit = await h.runtime.repos.auditLog.list({ orgId: t.orgId });
    const rotations = audit.filter((entry) => entry.action === 'limits.webhook_secret.rotate');
    expect(rotations).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain(webhookSecret);
  });

  it('ensures a secret once: returned the first time, undefined after', async () => {
    const { h } = suite;
    const other = await h.seedTenant('other');
    const created = await h.ops.budgets.ensureWebhookSecret(other.orgId);
    expect(typeof created).toBe('string');
    expect(await h.ops.budgets.ensureWebhookSecret(other.orgId)).toBeUndefined();
    expect(await h.runtime.vault.getProviderKey(other.orgId, WEBHOOK_SECRET_NAME)).toEqual({ ok: true, key: created });
  });

  it('refuses keys without the admin scope and other orgs', async () => {
    const { h, t } = suite;
    const denied = await h.http().post(`/admin/orgs/${t.orgId}/limits/webhook-secret`).set(bearer(t.analyticsKey));
    expect(denied.status).toBe(403);
    const other = await h.seedTenant('foreign');
    const foreign = await h.http().post(`/admin/orgs/${t.orgId}/limits/webhook-secret`).set(bearer(other.adminKey));
    expect([403, 404]).toContain(foreign.status);
    expect(errorOf(foreign).code).toBeDefined();
  });
});
