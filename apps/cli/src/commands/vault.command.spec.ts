import { expect } from '@jest/globals';
import { createKeyring, createVault } from '@navplane/vault';
import { CHANGE_TOPICS, createRepositories } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, newMasterKey, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

const OPENAI = 'sk-openai-rotation-0000aaaa';
const ANTHROPIC = 'sk-ant-rotation-0000bbbb';

describe.each(TEST_DIALECTS)('navplane vault rotate-master on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  let orgId: string;
  const oldKey = newMasterKey();
  const newKey = newMasterKey();

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect, { NAVPLANE_MASTER_KEY: oldKey });
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.providerKeyChanged]);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Vault Org', '--format', 'json'])).id;
    await sandbox.json(['provider-key', 'set', 'openai', '--org', orgId, '--format', 'json'], { stdin: OPENAI });
    // A named key: rotate-master re-wraps every key, whatever its name.
    await sandbox.json(['provider-key', 'set', 'anthropic', '--org', orgId, '--name', 'eu', '--format', 'json'], { stdin: ANTHROPIC });
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  it('fails (exit 1) with a hint when the old master key is not in NAVPLANE_MASTER_KEY_PREVIOUS', async () => {
    const run = await sandbox.run(['vault', 'rotate-master', '--format', 'json'], { env: { NAVPLANE_MASTER_KEY: newKey } });
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { rewrapped: number; failed: Array<{ id: string; reason: string }> };
    expect(doc.rewrapped).toBe(0);
    expect(doc.failed.map((f) => f.reason)).toEqual(['unknown_kek_version', 'unknown_kek_version']);
    expect(run.stderr).toMatch(
      /navplane: 2 provider key\(s\) could not be re-wrapped: put the old master key in NAVPLANE_MASTER_KEY_PREVIOUS/,
    );
  });

  it('re-wraps every key under the new master key, announces each row, and is idempotent', async () => {
    const env = { NAVPLANE_MASTER_KEY: newKey, NAVPLANE_MASTER_KEY_PREVIOUS: oldKey };
    // While both keys are configured the vault is ready but not yet current.
    const before = await sandbox.json<{ checks: Array<{ name: string; status: string; message: string }> }>(
      ['doctor', '--format', 'json'],
      { env },
    );
    expect(before.checks.find((c) => c.name === 'vault')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('2 still wrapped'),
    });

    const run = await sandbox.run(['vault', 'rotate-master', '--format', 'json'], { env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      schemaVersion: number;
      total: number;
      rewrapped: number;
      skipped: number;
      failed: unknown[];
      currentKekVersion: number;
    };
    expect(doc).toMatchObject({ schemaVersion: 1, total: 2, rewrapped: 2, skipped: 0, failed: [] });
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^\[1\/2\] pk_\w+ rewrapped$/),
      expect.stringMatching(/^\[2\/2\] pk_\w+ rewrapped$/),
    ]);
    await changes.waitFor(CHANGE_TOPICS.providerKeyChanged, { orgId, provider: 'openai', name: 'default' });
    await changes.waitFor(CHANGE_TOPICS.providerKeyChanged, { orgId, provider: 'anthropic', name: 'eu' });

    const again = await sandbox.run(['vault', 'rotate-master'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^re-wrapped 0, already current 2, failed 0 \(of 2\)/);

    // The old key can go: the new one alone opens every stored key.
    const vault = createVault({
      keyring: createKeyring({ current: Buffer.from(newKey, 'base64') }),
      providerKeys: createRepositories(sandbox.testDb.database).providerKeys,
      changeFeed: { publish: () => Promise.resolve(), subscribe: () => () => undefined },
    });
    try {
      expect(await vault.getProviderKey(orgId, 'openai')).toEqual({ ok: true, key: OPENAI });
      expect(await vault.getProviderKey(orgId, 'anthropic', 'eu')).toEqual({ ok: true, key: ANTHROPIC });
    } finally {
      vault.close();
    }
    const after = await sandbox.json<{ checks: Array<{ name: string; status: string }> }>(['doctor', '--format', 'json'], {
      env: { NAVPLANE_MASTER_KEY: newKey },
    });
    expect(after.checks.find((c) => c.name === 'vault')?.status).toBe('ok');
    for (const output of [run.stdout, run.stderr, again.stdout, again.stderr]) {
      expect(output).not.toContain(OPENAI);
      expect(output).not.toContain(newKey);
      expect(output).not.toContain(oldKey);
    }
  });
});
