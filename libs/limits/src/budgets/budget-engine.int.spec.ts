import { expect } from '@jest/globals';
import { AppError, newId, toIso } from '@navplane/core';
import { createRepositories, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { prefixedTestRedis } from '@navplane/testing';
import { Redis } from 'ioredis';
import type { LimitDocument } from '../limit-document';
import { createBudgetEngine, type BudgetEngine, type BudgetReservation, type SpendSettled } from './budget-engine';
import { fixedLimits, settableClock } from './budgets-test.fixture';
import { createMemoryReservationStore, type ReservationStore } from './reservation-store';

const START = Date.UTC(2026, 11, 7, 12); // 2026-12-07T12:00Z
const priced = (usd: number) => ({ priced: true as const, usd, inputTokens: 0, outputTokens: 0 });

const redis = prefixedTestRedis();
const MODES = redis === undefined ? (['memory'] as const) : (['memory', 'redis'] as const);
if (redis === undefined) console.log('NAVPLANE_TEST_REDIS_URL is not set: the Redis reservation specs are skipped');

afterAll(async () => {
  await redis?.cleanup();
});

describe.each(TEST_DIALECTS)('budget engine on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  describe.each(MODES)('with reservations in %s', (mode) => {
    const documents = new Map<string, LimitDocument>();
    const clock = settableClock(START);
    const spends: SpendSettled[] = [];
    const engine = (): BudgetEngine =>
      createBudgetEngine({
        limits: fixedLimits(documents),
        spend: repos.budgets,
        clock,
        spendTtlMs: 0,
        onSpend: (event) => spends.push(event),
        ...(mode === 'redis' && redis !== undefined ? { redis: { client: redis.client, prefix: `${redis.prefix}${dialect}:` } } : {}),
      });

    async function orgWith(limits: LimitDocument['limits']) {
      const org = await repos.orgs.create({ id: newId('org'), name: 'Budget', createdAt: toIso(START) });
      documents.set(org.id, { limits });
      return { orgId: org.id, workspaceId: null, keyId: 'key_01jexample0000000000000000' };
    }

    async function reserve(budgets: BudgetEngine, subject: Awaited<ReturnType<typeof orgWith>>, usd: number | undefined) {
      const applicable = await budgets.applicable(subject);
      return budgets.reserve(subject, applicable, usd === undefined ? { priced: false } : priced(usd));
    }
    const held = (result: BudgetReservation | AppError): BudgetReservation => {
      if (result instanceof AppError) throw result;
      return result;
    };

    beforeEach(() => clock.set(START));

    it('renews the reservations of its requests in flight past the TTL; one of a process that stopped expires', async () => {
      // TTL 90 ms of the spec's clock, renewed every 30 ms of real time.
      const options = {
        limits: fixedLimits(documents),
        spend: repos.budgets,
        clock,
        spendTtlMs: 0,
        reservationTtlMs: 90,
        ...(mode === 'redis' && redis !== undefined ? { redis: { client: redis.client, prefix: `${redis.prefix}${dialect}:` } } : {}),
      };
      const live = createBudgetEngine(options);
      const stopped = createBudgetEngine(options);
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 10, period: 'day' } }]);
      const reservedNow = async () => (await live.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] }))[0]?.reservedUsd;
      try {
        const long = held(await reserve(live, subject, 2));
        held(await reserve(stopped, subject, 3));
        stopped.close(); // its process is gone: nothing renews its reservation any more
        held(await reserve(stopped, subject, 1)); // nor one it makes after closing
        // In memory each engine (process) sees only its own; in Redis, both.
        expect(await reservedNow()).toBe(mode === 'redis' ? 6 : 2);
        for (let step = 0; step < 4; step += 1) {
          clock.advance(60);
          await new Promise((resolve) => setTimeout(resolve, 100)); // a renewal or more runs
        }
        // 240 ms of the clock later: the stopped one expired at 90, the live one is still held.
        expect(await reservedNow()).toBe(2);
        await live.settle(long, { status: 'exact', usd: 1 });
        expect(await reservedNow()).toBe(0);
      } finally {
        live.close();
      }
    });

    it('charges a cost no reservation held into the current period, and says when settled spend (not reservations) reaches the budget', async () => {
      const budgets = engine();
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 10, period: 'day' } }]);
      const applicable = await budgets.applicable(subject);
      const status = async () => (await budgets.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] }))[0];
      clock.set(START + 12 * 3_600_000 - 60_000); // 23:59 UTC
      await budgets.charge(subject, applicable, { status: 'exact', usd: 1 }, { priced: false });
      clock.set(START + 12 * 3_600_000 + 60_000); // 00:01 UTC the next day: a new period
      await budgets.charge(subject, applicable, { status: 'exact', usd: 2 }, { priced: false });
      expect(await status()).toMatchObject({ periodStart: '2026-12-08', spentUsd: 2 });
      // An unknown cost of a priced model is charged its estimate; an unpriced one is counted apart.
      await budgets.charge(subject, applicable, { status: 'unknown', usd: null }, priced(3));
      await budgets.charge(subject, applicable, { status: 'unknown', usd: null }, { priced: false });
      expect(await status()).toMatchObject({ spentUsd: 5, unpricedRequests: 1 });
      // A reservation in flight does not make the budget spent; settled spend reaching it does.
      const inFlight = held(await reserve(budgets, subject, 4.5));
      expect(await budgets.exhausted(subject, applicable)).toBe(false);
      await budgets.charge(subject, applicable, { status: 'exact', usd: 5 }, { priced: false });
      expect(await budgets.exhausted(subject, applicable)).toBe(true);
      await budgets.settle(inFlight, { status: 'exact', usd: 0 });
    });

    it('reserves at start, shows the reservation, settles the real cost and releases it', async () => {
      const budgets = engine();
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 10, period: 'month' } }]);
      const reservation = held(await reserve(budgets, subject, 2));
      let [status] = await budgets.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] });
      expect(status).toMatchObject({
        spentUsd: 0,
        reservedUsd: 2,
        remainingUsd: 8,
        periodStart: '2026-12-01',
        resetsAt: '2027-01-01T00:00:00.000Z',
      });
      await budgets.settle(reservation, { status: 'estimated', usd: 0.75 });
      await budgets.settle(reservation, { status: 'estimated', usd: 0.75 }); // settled once only
      [status] = await budgets.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] });
      expect(status).toMatchObject({ spentUsd: 0.75, reservedUsd: 0, remainingUsd: 9.25, unpricedRequests: 0 });
      expect(spends.at(-1)).toMatchObject({ orgId: subject.orgId, beforeUsd: 0, afterUsd: 0.75 });
    });

    it('refuses with 429 budget_exceeded when spent plus reserved would pass the budget, and admits again once settled', async () => {
      const budgets = engine();
      const subject = await orgWith([
        { scope: { type: 'org' }, budget: { usd: 100, period: 'month' } },
        { scope: { type: 'key', id: subject0 }, budget: { usd: 1, period: 'day' } },
      ]);
      const first = held(await reserve(budgets, subject, 0.6));
      const refused = await reserve(budgets, subject, 0.6);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'budget_exceeded' });
      expect(refused instanceof AppError ? refused.message : '').toContain(`key ${subject0}`);
      expect(refused instanceof AppError ? refused.details?.['retryAfterSeconds'] : 0).toBe(12 * 3600);
      await budgets.settle(first, { status: 'estimated', usd: 0.5 });
      // 0.5 spent + 0.5 reserved is exactly the budget: admitted.
      const second = held(await reserve(budgets, subject, 0.5));
      await budgets.settle(second, { status: 'estimated', usd: 0.5 });
      // Spent up: even an unpriced request (nothing to reserve) is refused until the period ends.
      expect(await reserve(budgets, subject, undefined)).toMatchObject({ code: 'budget_exceeded' });
      // The org budget was held too and settled twice.
      const statuses = await budgets.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] });
      expect(statuses.map((s) => [s.scope.type, s.spentUsd, s.reservedUsd])).toEqual([
        ['org', 1, 0],
        ['key', 1, 0],
      ]);
    });

    it('bills nothing for a failed attempt, the reservation for an unknown cost, and counts unpriced requests apart', async () => {
      const budgets = engine();
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 10, period: 'day' } }]);
      await budgets.settle(held(await reserve(budgets, subject, 1)), { status: 'exact', usd: 0 });
      await budgets.settle(held(await reserve(budgets, subject, 1.5)), { status: 'unknown', usd: null });
      await budgets.settle(held(await reserve(budgets, subject, undefined)), { status: 'unknown', usd: null });
      const [status] = await budgets.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] });
      expect(status).toMatchObject({ spentUsd: 1.5, reservedUsd: 0, unpricedRequests: 1 });
    });

    it('rolls over at the end of the UTC day and of the calendar month (injected clock)', async () => {
      const budgets = engine();
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'day' } }]);
      clock.set(Date.UTC(2026, 11, 31, 23, 59, 59));
      await budgets.settle(held(await reserve(budgets, subject, 1)), { status: 'estimated', usd: 1 });
      expect(await reserve(budgets, subject, 0.1)).toMatchObject({ code: 'budget_exceeded' });
      clock.set(Date.UTC(2027, 0, 1, 0, 0, 0));
      const next = held(await reserve(budgets, subject, 0.1));
      expect(next.holds[0]?.window.start).toBe('2027-01-01');
      await budgets.settle(next, { status: 'exact', usd: 0 });

      const monthly = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'month' } }]);
      clock.set(Date.UTC(2027, 1, 28, 23, 0));
      await budgets.settle(held(await reserve(budgets, monthly, 1)), { status: 'estimated', usd: 1 });
      expect(await reserve(budgets, monthly, 0.1)).toMatchObject({ code: 'budget_exceeded' });
      clock.set(Date.UTC(2027, 2, 1));
      expect(held(await reserve(budgets, monthly, 0.1)).holds[0]?.window.start).toBe('2027-03-01');
    });

    it('keeps settled spend across a restart (new engine objects on the same database)', async () => {
      const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'month' } }]);
      const before = engine();
      await before.settle(held(await reserve(before, subject, 0.9)), { status: 'estimated', usd: 0.9 });
      const after = engine();
      expect(await reserve(after, subject, 0.2)).toMatchObject({ code: 'budget_exceeded' });
      const [status] = await after.statuses(subject.orgId, documents.get(subject.orgId) ?? { limits: [] });
      expect(status?.spentUsd).toBeCloseTo(0.9, 10);
    });

    if (mode === 'redis') {
      it('shares reservations between instances (two engines on one Redis prefix)', async () => {
        const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'month' } }]);
        const [a, b] = [engine(), engine()];
        const first = held(await reserve(a, subject, 0.6));
        expect(await reserve(b, subject, 0.6)).toMatchObject({ code: 'budget_exceeded' });
        await a.settle(first, { status: 'exact', usd: 0 });
        held(await reserve(b, subject, 0.6));
      });

      it('counts another instance’s settled spend at once, before its own database read is due', async () => {
        const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'month' } }]);
        // Spend read from the database is kept a minute: only Redis can tell B what A settled.
        const shared = redis;
        if (shared === undefined) throw new Error('Redis mode without a test Redis');
        const stale = () =>
          createBudgetEngine({
            limits: fixedLimits(documents),
            spend: repos.budgets,
            clock,
            spendTtlMs: 60_000,
            redis: { client: shared.client, prefix: `${shared.prefix}${dialect}:stale:` },
          });
        const [a, b] = [stale(), stale()];
        await b.settle(held(await reserve(b, subject, 0.1)), { status: 'exact', usd: 0 }); // B has read spend: $0
        await a.settle(held(await reserve(a, subject, 0.7)), { status: 'exact', usd: 0.7 });
        expect(await reserve(b, subject, 0.4)).toMatchObject({ code: 'budget_exceeded' });
        await b.settle(held(await reserve(b, subject, 0.3)), { status: 'exact', usd: 0.3 });
        expect(await reserve(a, subject, 0.01)).toMatchObject({ code: 'budget_exceeded' });
      });

      it('never counts a settlement twice when another instance reserves between its database write and its release', async () => {
        const subject = await orgWith([{ scope: { type: 'org' }, budget: { usd: 1, period: 'month' } }]);
        const shared = redis;
        if (shared === undefined) throw new Error('Redis mode without a test Redis');
        const on = { client: shared.client, prefix: `${shared.prefix}${dialect}:race:` };
        const b = createBudgetEngine({ limits: fixedLimits(documents), spend: repos.budgets, clock, spendTtlMs: 0, redis: on });
        // A's database write is followed, before A's release, by a reservation of B that reads the new total.
        const a = createBudgetEngine({
          limits: fixedLimits(documents),
          clock,
          spendTtlMs: 0,
          redis: on,
          spend: {
            findSpend: (key) => repos.budgets.findSpend(key),
            async addSpend(key, usd, unpriced, at) {
              const after = await repos.budgets.addSpend(key, usd, unpriced, at);
              await b.settle(held(await reserve(b, subject, 0.01)), { status: 'exact', usd: 0 });
              return after;
            },
          },
        });
        await a.settle(held(await reserve(a, subject, 0.6)), { status: 'exact', usd: 0.6 });
        // $0.60 spent: exactly $0.40 is left, on either instance.
        held(await reserve(b, subject, 0.4));
      });
    }
  });

  describe('with Redis unreachable (NAVPLANE_LIMITS_FAIL_MODE)', () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    unreachable.connect().catch(() => undefined);
    afterAll(() => unreachable.disconnect());
    const documents = new Map<string, LimitDocument>();
    const engineWith = (failOpen: boolean, errors: boolean[]) =>
      createBudgetEngine({
        limits: fixedLimits(documents),
        spend: repos.budgets,
        clock: settableClock(START),
        spendTtlMs: 0,
        redis: { client: unreachable, prefix: 'navplane-test:unreachable:' },
        failOpen,
        onStoreError: (_error, first) => errors.push(first),
      });
    const subjectWith = async (usd: number) => {
      const org = await repos.orgs.create({ id: newId('org'), name: 'Down', createdAt: toIso(START) });
      documents.set(org.id, { limits: [{ scope: { type: 'org' }, budget: { usd, period: 'day' } }] });
      return { orgId: org.id, workspaceId: null, keyId: subject0 };
    };

    it('fail-open holds reservations in this process (the budget still holds) and releases them there', async () => {
      const errors: boolean[] = [];
      const budgets = engineWith(true, errors);
      const subject = await subjectWith(1);
      const applicable = await budgets.applicable(subject);
      const first = await budgets.reserve(subject, applicable, priced(0.7));
      if (first instanceof AppError) throw first;
      expect(await budgets.reserve(subject, applicable, priced(0.7))).toMatchObject({ code: 'budget_exceeded' });
      await budgets.settle(first, { status: 'exact', usd: 0 });
      expect(await budgets.reserve(subject, applicable, priced(0.7))).not.toBeInstanceOf(AppError);
      expect(errors).toEqual([true, false, false]); // one warning per outage, every failure counted
    });

    it('drops from the shared store a reservation whose call failed after the store held it (a timeout)', async () => {
      // A shared store that holds the reservation, then fails the call: as Redis does when its answer comes after the
      // command timeout.
      const inner = createMemoryReservationStore();
      const late: ReservationStore = {
        ...inner,
        async reserve(...args) {
          await inner.reserve(...args);
          throw new Error('Command timed out');
        },
      };
      const budgets = createBudgetEngine({
        limits: fixedLimits(documents),
        spend: repos.budgets,
        clock: settableClock(START),
        spendTtlMs: 0,
        reservations: late,
        failOpen: true,
      });
      const subject = await subjectWith(1);
      const applicable = await budgets.applicable(subject);
      const reservation = await budgets.reserve(subject, applicable, priced(0.5));
      if (reservation instanceof AppError) throw reservation;
      const key = reservation.holds[0]?.key ?? '';
      await new Promise((resolve) => setImmediate(resolve));
      // Held once, in this process (fail-open); nothing left behind in the shared store.
      expect(await inner.reserved(key, START)).toBe(0);
      await budgets.settle(reservation, { status: 'exact', usd: 0.1 });
    });

    it('fail-closed refuses with 503 limits_unavailable and holds nothing', async () => {
      const errors: boolean[] = [];
      const budgets = engineWith(false, errors);
      const subject = await subjectWith(1);
      const refused = await budgets.reserve(subject, await budgets.applicable(subject), priced(0.1));
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'limits_unavailable' });
      expect(errors).toEqual([true]);
    });
  });
});

const subject0 = 'key_01jexample0000000000000000';
