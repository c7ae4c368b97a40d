import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

interface KeyJson {
  id: string;
  orgId: string;
  name: string;
  scopes: string[];
  status: string;
  displayPrefix: string;
  graceEndsAt: string | null;
  revokedAt: string | null;
  models: string[] | null;
}

describe.each(TEST_DIALECTS)('navplane key on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  let orgId: string;
  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.gatewayKeyChanged]);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Keys Org', '--format', 'json'])).id;
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  it('shows a key once (create, rotate) and never again (list, revoke)', async () => {
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const result = await sandbox.run(args);
      outputs.push(result.stdout + result.stderr);
      if (result.code !== 0) throw new Error(result.stderr);
      return result.stdout;
    };
    const created = JSON.parse(
      await run(['key', 'create', '--org', orgId, '--name', 'ci', '--scopes', 'proxy,traces:read', '--format', 'json']),
    ) as KeyJson & { key: string; schemaVersion: number };
    expect(created).toMatchObject({ schemaVersion: 1, orgId, name: 'ci', scopes: ['proxy', 'traces:read'], status: 'active' });
    expect(created.key).toMatch(/^np_/);
    await changes.waitFor(CHANGE_TOPICS.gatewayKeyChanged, { keyId: created.id });

    const listed = JSON.parse(await run(['key', 'list', '--org', orgId, '--format', 'json'])) as { keys: KeyJson[] };
    expect(listed.keys.map((k) => [k.id, k.status])).toEqual([[created.id, 'active']]);
    expect(JSON.stringify(listed)).not.toMatch(/secretHash|publicId/);

    // Rotation without --org: the org is looked up from the key.
    const rotated = JSON.parse(await run(['key', 'rotate', created.id, '--grace-seconds', '3600', '--format', 'json'])) as KeyJson & {
      key: string;
      previous: KeyJson;
    };
    expect(rotated.key).toMatch(/^np_/);
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.previous).toMatchObject({ id: created.id, status: 'rotating' });
    expect(Date.parse(rotated.previous.graceEndsAt ?? '') - Date.now()).toBeGreaterThan(3500 * 1000);

    const table = await run(['key', 'list', '--org', orgId]);
    expect(table).toMatch(new RegExp(`${created.id}\\s+ci\\s+np_\\S+…\\s+rotating`));

    const revoked = JSON.parse(await run(['key', 'revoke', created.id, '--org', orgId, '--format', 'json'])) as KeyJson;
    expect(revoked).toMatchObject({ id: created.id, status: 'revoked' });
    await run(['key', 'revoke', rotated.id]);

    // Each secret appears in exactly one output: the one that created it.
    for (const secret of [created.key, rotated.key]) {
      expect(outputs.filter((o) => o.includes(secret))).toHaveLength(1);
    }
    const plain = await sandbox.run(['key', 'create', '--org', orgId, '--name', 'plain']);
    expect(plain.stdout).toMatch(/^key {10}np_\S+\n/);
    expect(plain.stdout).toContain('shown only once');
  });

  it('creates a key with a model allowlist and shows it in create, list (table and JSON) and after rotation', async () => {
    const created = await sandbox.json<KeyJson & { key: string }>([
      'key',
      'create',
      '--org',
      orgId,
      '--name',
      'limited',
      '--models',
      'gpt-4.1-mini, claude-sonnet-4-5,gpt-4.1-mini',
      '--format',
      'json',
    ]);
    expect(created.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);
    const open = await sandbox.json<KeyJson>(['key', 'create', '--org', orgId, '--name', 'open-models', '--format', 'json']);
    expect(open.models).toBeNull();

    const listed = await sandbox.json<{ keys: KeyJson[] }>(['key', 'list', '--org', orgId, '--format', 'json']);
    expect(listed.keys.find((k) => k.id === created.id)?.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);
    expect(listed.keys.find((k) => k.id === open.id)?.models).toBeNull();
    const table = await sandbox.run(['key', 'list', '--org', orgId]);
    expect(table.stdout).toMatch(/MODELS/);
    expect(table.stdout).toMatch(new RegExp(`${created.id}\\s+limited\\s+\\S+\\s+active\\s+proxy\\s+gpt-4\\.1-mini,claude-sonnet-4-5\\s`));
    expect(table.stdout).toMatch(new RegExp(`${open.id}\\s+open-models\\s+\\S+\\s+active\\s+proxy\\s+any\\s`));

    const plain = await sandbox.run(['key', 'create', '--org', orgId, '--name', 'plain-models', '--models', 'gpt-4.1']);
    expect(plain.stdout).toMatch(/\nmodels {7}gpt-4\.1\n/);

    const rotated = await sandbox.json<KeyJson>(['key', 'rotate', created.id, '--format', 'json']);
    expect(rotated.models).toEqual(['gpt-4.1-mini', 'claude-sonnet-4-5']);

    const empty = await sandbox.run(['key', 'create', '--org', orgId, '--name', 'x', '--models', ' , ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^navplane: .*models/);
  });

  it('fails with one line: unknown org or key (1), bad scope or grace (2)', async () => {
    const noOrg = await sandbox.run(['key', 'create', '--org', 'org_nope', '--name', 'x']);
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr.trim().split('\n')).toHaveLength(1);
    const badScope = await sandbox.run(['key', 'create', '--org', orgId, '--name', 'x', '--scopes', 'root']);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/^navplane: /);
    const noKey = await sandbox.run(['key', 'revoke', 'key_nope']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe('navplane: no key key_nope\n');
    const badGrace = await sandbox.run(['key', 'rotate', 'key_nope', '--grace-seconds', '-5']);
    expect(badGrace.code).toBe(2);
    const missing = await sandbox.run(['key', 'list']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--org/);
  });
});
