import { ManualClock, toIso } from '@navplane/core';
import { CHANGE_TOPICS, createChangeFeed, createRepositories, openDatabase, type ChangeFeed, type Database } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { seedOrg, waitFor } from './auth-test.fixture';
import { createGatewayKeyService } from './gateway-key.service';
import { createKeyVerifier, type KeyVerifier } from './key-verifier';

// Two instances on one database, each with its own connection and change feed, like two gateway processes:
// a mutation made through one must reach the other's cache within the contract's 1 s bound.
describe.each(TEST_DIALECTS)('key verifier across instances on %s', (dialect) => {
  let test: TestDatabase;
  let otherDatabase: Database;
  let feedA: ChangeFeed;
  let feedB: ChangeFeed;
  let verifierA: KeyVerifier;
  let verifierB: KeyVerifier;
  const clock = new ManualClock();

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    otherDatabase = await openDatabase({ url: test.url, poolSize: 4 });
    feedA = createChangeFeed(test.database, { pollIntervalMs: 50 });
    feedB = createChangeFeed(otherDatabase, { pollIntervalMs: 50 });
    await Promise.all([feedA.start(), feedB.start()]);
    verifierA = createKeyVerifier({ repos: createRepositories(test.database), changeFeed: feedA, clock });
    verifierB = createKeyVerifier({ repos: createRepositories(otherDatabase), changeFeed: feedB, clock });
    await Promise.all([verifierA.start(), verifierB.start()]);
  });
  afterAll(async () => {
    await Promise.all([verifierA.close(), verifierB.close()]);
    await Promise.all([feedA.close(), feedB.close()]);
    await otherDatabase.close();
    await test.drop();
  });

  const setUp = async () => {
    const repos = createRepositories(test.database);
    const keys = createGatewayKeyService({ repos, changeFeed: feedA, clock });
    const org = await seedOrg(repos);
    const issued = await keys.issue({ orgId: org.id, name: 'shared' });
    if (!issued.ok) throw issued.error;
    // Both instances hold the key in memory.
    expect((await verifierA.verify(issued.value.key)).valid).toBe(true);
    expect((await verifierB.verify(issued.value.key)).valid).toBe(true);
    return { repos, keys, org, issued: issued.value };
  };

  it('a revocation through instance A is refused by instance B within 1 s', async () => {
    const { keys, org, issued } = await setUp();
    const revoked = await keys.revoke(org.id, issued.record.id);
    expect(revoked.ok).toBe(true);
    const elapsed = await waitFor(async () => (await verifierB.verify(issued.key)).valid === false, 5000);
    expect(await verifierB.verify(issued.key)).toEqual({ valid: false, code: 'revoked' });
    expect(elapsed).toBeLessThan(1000);
  });

  it('a rotation without grace through A retires the old key on B within 1 s; the new key works on B', async () => {
    const { keys, org, issued } = await setUp();
    const rotated = await keys.rotate(org.id, issued.record.id);
    if (!rotated.ok) throw rotated.error;
    const elapsed = await waitFor(async () => (await verifierB.verify(issued.key)).valid === false, 5000);
    expect(elapsed).toBeLessThan(1000);
    expect((await verifierB.verify(rotated.value.key)).valid).toBe(true);
  });

  it('switching the org off through A is refused by B within 1 s, and back on', async () => {
    const { repos, org, issued } = await setUp();
    await repos.orgs.setEnabled(org.id, false, toIso(clock.nowMs()));
    await feedA.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    const elapsed = await waitFor(async () => (await verifierB.verify(issued.key)).valid === false, 5000);
    expect(elapsed).toBeLessThan(1000);
    expect(await verifierB.verify(issued.key)).toMatchObject({ valid: false, code: 'org_disabled', key: { id: issued.record.id } });
    await repos.orgs.setEnabled(org.id, true, toIso(clock.nowMs()));
    await feedA.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    expect(await waitFor(async () => (await verifierB.verify(issued.key)).valid, 5000)).toBeLessThan(1000);
  });
});
