import { randomBytes } from 'node:crypto';
import { newId } from '@navplane/core';
import { createChangeFeed, createRepositories, type ChangeFeed } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { createKeyring, createVault } from '@navplane/vault';
import { startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(90_000);

const ORGS = 12;

describe.each(TEST_DIALECTS)('master key rotation while the gateway serves, on %s', (dialect) => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const orgIds: string[] = [];
  let h: GatewayHarness;
  let rotationFeed: ChangeFeed | undefined;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect, {
      // The gateway already holds both keys, as the runbook says: NAVPLANE_MASTER_KEY=new, _PREVIOUS=old.
      env: { NAVPLANE_MASTER_KEY: newKey.toString('base64'), NAVPLANE_MASTER_KEY_PREVIOUS: oldKey.toString('base64') },
      // Before it starts, every provider key is sealed under the old master key only.
      beforeStart: async (testDb) => {
        const repos = createRepositories(testDb.database);
        const feed = createChangeFeed(testDb.database, { pollIntervalMs: 50 });
        const sealer = createVault({ keyring: createKeyring({ current: oldKey }), providerKeys: repos.providerKeys, changeFeed: feed });
        for (let i = 0; i < ORGS; i += 1) {
          const id = newId('org');
          await repos.orgs.create({ id, name: `org-${i}`, createdAt: new Date().toISOString() });
          await sealer.storeProviderKey({ orgId: id, provider: 'openai', key: `sk-test-rotation-${i}-0123456789` });
          orgIds.push(id);
        }
        sealer.close();
        await feed.close();
      },
    });
  });
  afterAll(async () => {
    await rotationFeed?.close();
    await h.close();
  });

  it('re-wraps every key under the new master key with zero failed requests', async () => {
    const keys = await Promise.all(orgIds.map(async (orgId) => ({ orgId, key: (await h.issueKey(orgId)).key })));
    const rows = await h.runtime.repos.providerKeys.listAllForRewrap();
    const oldVersion = rows[0]?.kekVersion;
    expect(rows.every((r) => r.kekVersion === oldVersion)).toBe(true);

    // The rotation runs as another process would: its own vault, its own change feed, same database.
    rotationFeed = createChangeFeed(h.testDb.database, { pollIntervalMs: 50 });
    await rotationFeed.start();
    const rotator = createVault({
      keyring: createKeyring({ current: newKey, previous: [oldKey] }),
      providerKeys: createRepositories(h.testDb.database).providerKeys,
      changeFeed: rotationFeed,
    });

    // Traffic runs before, during and after the rotation: it goes on until two full rounds of requests were
    // served after the rewrap finished, however slow the machine (no wall-clock race).
    let rotatedAt = -1;
    const results: number[] = [];
    const seenKeys = new Set<string>();
    const traffic = (async () => {
      let i = 0;
      while (rotatedAt < 0 || results.length < rotatedAt + keys.length * 2) {
        const { orgId, key } = keys[i % keys.length]!;
        const res = await fetch(`${h.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: orgId }] }),
        });
        await res.arrayBuffer();
        results.push(res.status);
        const sent = h.upstream.lastRequest()?.headers['authorization'];
        if (typeof sent === 'string') seenKeys.add(sent);
        i += 1;
      }
    })();

    while (results.length < keys.length) await new Promise((r) => setTimeout(r, 10)); // a full round before
    const report = await rotator.rewrapAll();
    rotatedAt = results.length;
    await traffic;
    rotator.close();

    expect(report).toEqual({ rewrapped: ORGS, skipped: 0, failed: [] });
    expect(results.length).toBeGreaterThanOrEqual(ORGS * 3); // a round before, two after, any during
    expect(results.filter((s) => s !== 200)).toEqual([]);
    expect([...seenKeys].sort()).toEqual(orgIds.map((_, i) => `Bearer sk-test-rotation-${i}-0123456789`).sort());
    const after = await h.runtime.repos.providerKeys.listAllForRewrap();
    expect(after.every((r) => r.kekVersion !== oldVersion)).toBe(true);

    // An instance holding only the old key can no longer read them: the rotation really happened.
    const oldOnly = createVault({
      keyring: createKeyring({ current: oldKey }),
      providerKeys: createRepositories(h.testDb.database).providerKeys,
      changeFeed: rotationFeed,
    });
    expect(await oldOnly.getProviderKey(orgIds[0]!, 'openai')).toEqual({ ok: false, reason: 'undecryptable' });
    oldOnly.close();
  });
});
