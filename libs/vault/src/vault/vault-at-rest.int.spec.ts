import { existsSync, readFileSync } from 'node:fs';
import { createRepositories, type Repositories } from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { createKeyring } from '../keyring/keyring';
import { createVault } from './vault';
import type { Vault } from './vault.types';
import { defined, FeedPool, masterKey, plaintextKey, seedOrg } from './vault.fixture';

/**
 * Text that would betray `secret` if found at rest: the secret itself (UTF-8 and UTF-16), its hex, and its
 * base64/base64url at each of the three byte alignments it could start at inside a larger encoded blob.
 */
function encodingsOf(secret: string): string[] {
  const found = [secret, Buffer.from(secret).toString('hex')];
  for (let offset = 0; offset < 3; offset += 1) {
    const bytes = Buffer.from(secret).subarray(offset);
    for (const encoding of ['base64', 'base64url'] as const) {
      // The last characters depend on the bytes that follow (and padding): compare the stable prefix.
      found.push(bytes.toString(encoding).slice(0, -4));
    }
  }
  return found;
}

function assertAbsent(haystack: Buffer, secrets: string[]): void {
  for (const secret of secrets) {
    for (const text of encodingsOf(secret)) {
      expect({
        secret: secret.slice(0, 8),
        text,
        found: haystack.includes(Buffer.from(text, 'utf8')),
      }).toMatchObject({
        found: false,
      });
    }
    expect(haystack.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
  }
}

describe.each(TEST_DIALECTS)('provider keys at rest on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let vault: Vault;
  const feeds = new FeedPool();
  const secrets: string[] = [];
  const canary = `org-canary-${Date.now()}`;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    vault = createVault({
      keyring: createKeyring({ current: masterKey() }),
      providerKeys: repos.providerKeys,
      changeFeed: await feeds.start(test.database),
    });
    for (let i = 0; i < 5; i += 1) {
      const orgId = await seedOrg(repos, `${canary}-${i}`);
      for (const provider of ['openai', 'anthropic']) {
        const key = plaintextKey(`sk-${provider}-at-rest`);
        secrets.push(key);
        await vault.storeProviderKey({ orgId, provider, key });
        expect(await vault.getProviderKey(orgId, provider)).toEqual({
          ok: true,
          key,
        });
      }
    }
  });
  afterAll(async () => {
    vault.close();
    await feeds.closeAll();
    await test.drop();
  });

  if (dialect === 'sqlite') {
    it('the raw SQLite file (and its WAL) holds no plaintext key and no encoding of one', () => {
      const { location } = test.database;
      if (location.dialect !== 'sqlite') throw new Error('expected a SQLite URL');
      const files = [location.filename, `${location.filename}-wal`].filter((file) => existsSync(file));
      const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
      // The scan is real: other plaintext columns written alongside are found in these bytes.
      expect(bytes.includes(Buffer.from(canary))).toBe(true);
      expect(bytes.includes(Buffer.from(defined(secrets[0]).slice(-4)))).toBe(true); // last4 is stored in clear, by design
      assertAbsent(bytes, secrets);
    });
  }

  if (dialect === 'postgres') {
    it('select * from provider_keys holds no plaintext key and no encoding of one', async () => {
      const rows = await test.database.db.selectFrom('provider_keys').selectAll().execute();
      expect(rows).toHaveLength(secrets.length);
      const text = Buffer.from(rows.map((row) => Object.values(row).join('\t')).join('\n'));
      expect(text.includes(Buffer.from(defined(secrets[0]).slice(-4)))).toBe(true);
      assertAbsent(text, secrets);
    });
  }
});
