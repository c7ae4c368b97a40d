import type { ReadinessReport } from '@navplane/http';
import { bodyAs, TEST_DIALECTS } from '@navplane/testing';
import { listOf } from './schemas/common.schemas';
import { orgSchema } from './schemas/org.schemas';
import { bearer, BOOTSTRAP_TOKEN, startAdminHarness, type AdminHarness } from './testing/admin-harness.fixture';
import { bodyOf, errorOf } from './testing/response-body.fixture';

jest.setTimeout(60_000);

// A database outage as the admin API sees it (docs/operations.md, "Database outage"): Postgres behind a TCP proxy
// that is cut (connections refused, open ones reset); SQLite locked by another connection's exclusive transaction.
describe.each(TEST_DIALECTS)('the admin API while the database is unavailable (%s)', (dialect) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(dialect, { outage: true });
  });
  afterAll(() => h.close());

  const createOrg = (name: string) => h.http().post('/admin/orgs').set(bearer(BOOTSTRAP_TOKEN)).send({ name });

  it('answers 503 storage_unavailable with Retry-After instead of 500, and recovers when the database is back', async () => {
    expect((await createOrg('before')).status).toBe(201);
    const outage = h.outage;
    if (outage === undefined) throw new Error('no outage');

    await outage.begin();
    try {
      const refused = await createOrg('during');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(refused.body).toEqual({
        error: { message: 'The database is unavailable right now; retry shortly', type: 'api_error', code: 'storage_unavailable' },
      });

      const list = await h.http().get('/admin/orgs').set(bearer(BOOTSTRAP_TOKEN));
      const ready = await h.http().get('/readyz');
      if (dialect === 'postgres') {
        // Unreachable: every call fails the same way, and readiness says so.
        expect([list.status, errorOf(list).code, list.headers['retry-after']]).toEqual([503, 'storage_unavailable', '5']);
        expect(ready.status).toBe(503);
        expect(bodyAs<ReadinessReport>(ready).checks['database']?.ok).toBe(false);
      } else {
        // Locked by another writer: reads still work (WAL), so the instance stays ready; only writes are refused.
        expect(list.status).toBe(200);
        expect(ready.status).toBe(200);
      }
    } finally {
      await outage.end();
    }

    // Back: the same call succeeds (the pool reconnects, the lock is gone), and readiness agrees.
    expect((await createOrg('after')).status).toBe(201);
    // Readiness follows within its checks' cache (the vault check's result is reused for 5 s).
    let ready = await h.http().get('/readyz');
    for (const started = Date.now(); ready.status !== 200 && Date.now() - started < 7000; ready = await h.http().get('/readyz')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect([ready.status, bodyAs<ReadinessReport>(ready).status]).toEqual([200, 'ready']);
    const names = bodyOf(await h.http().get('/admin/orgs').set(bearer(BOOTSTRAP_TOKEN)), listOf(orgSchema)).data.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['before', 'after']));
    expect(names).not.toContain('during');

    // Logged as an outage (a warning), not as a bug.
    expect(h.logs()).toContain('database unavailable');
    expect(h.logs()).not.toContain('unhandled error');
  });
});
