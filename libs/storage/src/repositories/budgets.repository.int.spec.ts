import { expect } from '@jest/globals';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import type { BudgetPeriodKey } from './budgets.repository';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('BudgetsRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const period = (orgId: string, scopeKey = 'org', periodStart = '2026-12-01'): BudgetPeriodKey => ({
    orgId,
    scopeKey,
    period: 'month',
    periodStart,
  });

  it('adds spend atomically per (org, scope, period start) and reads it back; nothing settled reads as zero', async () => {
    const org = await seedOrg(repos);
    expect(await repos.budgets.findSpend(period(org.id))).toEqual({ spentUsd: 0, unpricedRequests: 0 });
    expect(await repos.budgets.addSpend(period(org.id), 0.25, 0, at(1))).toEqual({ spentUsd: 0.25, unpricedRequests: 0 });
    expect(await repos.budgets.addSpend(period(org.id), 0.5, 1, at(2))).toEqual({ spentUsd: 0.75, unpricedRequests: 1 });
    // Concurrent additions all count.
    await Promise.all(Array.from({ length: 10 }, () => repos.budgets.addSpend(period(org.id), 0.125, 0, at(3))));
    expect(await repos.budgets.findSpend(period(org.id))).toEqual({ spentUsd: 2, unpricedRequests: 1 });
    // Other scopes, periods and orgs are apart.
    expect(await repos.budgets.findSpend(period(org.id, 'key:key_01jexample0000000000000000'))).toEqual({
      spentUsd: 0,
      unpricedRequests: 0,
    });
    expect(await repos.budgets.findSpend(period(org.id, 'org', '2027-01-01'))).toEqual({ spentUsd: 0, unpricedRequests: 0 });
    expect(await repos.budgets.findSpend({ ...period(org.id), period: 'day' })).toEqual({ spentUsd: 0, unpricedRequests: 0 });
    const other = await seedOrg(repos, 'Other');
    expect(await repos.budgets.findSpend(period(other.id))).toEqual({ spentUsd: 0, unpricedRequests: 0 });
  });

  it('claims each alert once per threshold and period, and records how sending went', async () => {
    const org = await seedOrg(repos);
    const claim = { ...period(org.id), threshold: 0.5, spentUsd: 5.5, budgetUsd: 10 };
    const claims = await Promise.all(Array.from({ length: 5 }, () => repos.budgets.claimAlert(claim, at(1))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos.budgets.claimAlert({ ...claim, threshold: 0.8 }, at(2))).toBe(true);
    expect(await repos.budgets.claimAlert({ ...claim, periodStart: '2027-01-01' }, at(3))).toBe(true);
    await repos.budgets.markAlert(claim, 'sent', 2, at(4));
    const alerts = await repos.budgets.listAlerts(org.id);
    expect(alerts.map((alert) => [alert.periodStart, alert.threshold, alert.status, alert.attempts])).toEqual([
      ['2026-12-01', 0.5, 'sent', 2],
      ['2026-12-01', 0.8, 'sending', 0],
      ['2027-01-01', 0.5, 'sending', 0],
    ]);
    expect(alerts[0]).toMatchObject({ spentUsd: 5.5, budgetUsd: 10, createdAt: at(1), updatedAt: at(4) });
  });

  it('refuses spend for an org that does not exist (foreign key)', async () => {
    await expect(repos.budgets.addSpend(period('org_missing'), 1, 0, at(1))).rejects.toThrow();
  });
});
