import { expect } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHANGE_TOPICS } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

const SECRET = 'sk-CANARY-provider-secret-1234';
const REPLACEMENT = 'sk-CANARY-replacement-key-9876';

describe.each(TEST_DIALECTS)('navplane provider-key on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  let orgId: string;
  const outputs: string[] = [];
  const run = async (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) => {
    const result = await sandbox.run(args, options);
    outputs.push(result.stdout + result.stderr);
    return result;
  };

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.providerKeyChanged]);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'PK Org', '--format', 'json'])).id;
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  it('stores a key read from stdin, lists last4 only, replaces it from a file, deletes it', async () => {
    const set = await run(['provider-key', 'set', 'openai', '--org', orgId, '--format', 'json'], { stdin: `${SECRET}\n` });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      schemaVersion: 1,
      orgId,
      provider: 'openai',
      name: 'default',
      last4: '1234',
      rotatedAt: null,
    });
    await changes.waitFor(CHANGE_TOPICS.providerKeyChanged, { orgId, provider: 'openai', name: 'default' });

    const list = await run(['provider-key', 'list', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(list.stdout)).toEqual({
      schemaVersion: 1,
      orgId,
      providerKeys: [{ provider: 'openai', name: 'default', last4: '1234', createdAt: expect.any(String), rotatedAt: null }],
    });

    const file = join(sandbox.cwd, 'replacement.key');
    await writeFile(file, `${REPLACEMENT}\n`, { mode: 0o600 });
    const replaced = await run(['provider-key', 'set', 'openai', '--org', orgId, '--from-file', file]);
    expect(replaced.stdout).toBe(`stored openai key …9876 for ${orgId} (replaced the previous one)\n`);

    const table = await run(['provider-key', 'list', '--org', orgId]);
    expect(table.stdout).toMatch(/openai\s+default\s+9876\s+\S+\s+\S+/);

    const deleted = await run(['provider-key', 'delete', 'openai', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(deleted.stdout)).toEqual({ schemaVersion: 1, orgId, provider: 'openai', deleted: true });
    const again = await run(['provider-key', 'delete', 'openai', '--org', orgId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`navplane: ${orgId}: This org has no openai key\n`);
  });

  it('holds named keys (--name): set, listed by provider then name (NAME column, `name` in JSON), deleted one and all', async () => {
    const keys: Array<[string, string, string | undefined]> = [
      ['openai', 'sk-CANARY-openai-eu-key-EU01', 'eu'],
      ['openai', 'sk-CANARY-openai-default-DF01', undefined],
      ['anthropic', 'sk-CANARY-anthropic-us-US01', 'us.west-2'],
      ['openai', 'sk-CANARY-openai-b-key-BB01', 'B_team'],
    ];
    for (const [provider, secret, name] of keys) {
      const set = await run(['provider-key', 'set', provider, '--org', orgId, ...(name === undefined ? [] : ['--name', name])], {
        stdin: `${secret}\n`,
      });
      expect([set.code, set.stdout]).toEqual([
        0,
        `stored ${provider} key${name === undefined ? '' : ` named ${name}`} …${secret.slice(-4)} for ${orgId}\n`,
      ]);
    }
    await changes.waitFor(CHANGE_TOPICS.providerKeyChanged, { orgId, provider: 'openai', name: 'eu' });
    const list = await run(['provider-key', 'list', '--org', orgId, '--format', 'json']);
    const listed = (JSON.parse(list.stdout) as { providerKeys: Array<{ provider: string; name: string; last4: string }> }).providerKeys;
    // Stable order: provider, then name in code-unit order (upper case first), on both dialects.
    expect(listed.map((key) => [key.provider, key.name, key.last4])).toEqual([
      ['anthropic', 'us.west-2', 'US01'],
      ['openai', 'B_team', 'BB01'],
      ['openai', 'default', 'DF01'],
      ['openai', 'eu', 'EU01'],
    ]);
    const table = await run(['provider-key', 'list', '--org', orgId]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PROVIDER\s+NAME\s+LAST4\s+CREATEDAT\s+ROTATEDAT\s+BASEURL$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['anthropic', 'us.west-2', 'US01'],
      ['openai', 'B_team', 'BB01'],
      ['openai', 'default', 'DF01'],
      ['openai', 'eu', 'EU01'],
    ]);

    const one = await run(['provider-key', 'delete', 'openai', '--org', orgId, '--name', 'eu', '--format', 'json']);
    expect(JSON.parse(one.stdout)).toEqual({ schemaVersion: 1, orgId, provider: 'openai', name: 'eu', deleted: true });
    const missing = await run(['provider-key', 'delete', 'openai', '--org', orgId, '--name', 'eu']);
    expect([missing.code, missing.stderr]).toEqual([1, `navplane: ${orgId}: This org has no openai key named eu\n`]);
    const all = await run(['provider-key', 'delete', 'openai', '--org', orgId]);
    expect([all.code, all.stdout]).toEqual([0, `deleted every openai key of ${orgId}\n`]);
    await changes.waitFor(CHANGE_TOPICS.providerKeyChanged, { orgId, provider: 'openai' });
    const anthropic = await run(['provider-key', 'delete', 'anthropic', '--org', orgId, '--name', 'us.west-2']);
    expect(anthropic.stdout).toBe(`deleted the anthropic key named us.west-2 of ${orgId}\n`);
    expect(JSON.parse((await run(['provider-key', 'list', '--org', orgId, '--format', 'json'])).stdout)).toMatchObject({
      providerKeys: [],
    });
  });

  it('refuses a malformed --name with exit 2, on set and delete, naming the rule', async () => {
    for (const name of ['', 'e u', 'x'.repeat(65)]) {
      const set = await run(['provider-key', 'set', 'openai', '--org', orgId, '--name', name], { stdin: `${SECRET}\n` });
      expect([set.code, set.stderr]).toEqual([2, expect.stringContaining('name must be 1-64 letters, digits')]);
      const del = await run(['provider-key', 'delete', 'openai', '--org', orgId, '--name', name]);
      expect([del.code, del.stderr]).toEqual([2, expect.stringContaining('name must be 1-64 letters, digits')]);
    }
    expect(JSON.parse((await run(['provider-key', 'list', '--org', orgId, '--format', 'json'])).stdout)).toMatchObject({
      providerKeys: [],
    });
  });

  it('stores an azure-openai key with --base-url, shown in the list; refuses unsafe or missing base URLs with exit 2', async () => {
    const AZURE = '0123456789abcdef0123456789abcdef';
    const refusals: Array<[string[], string]> = [
      [[], 'baseUrl is required for azure-openai'],
      [['--base-url', 'http://203.0.113.10'], 'must use https'],
      [['--base-url', 'https://10.0.0.1'], 'private'],
      [['--base-url', 'https://169.254.169.254'], 'private'],
      [['--base-url', 'https://localhost'], 'resolves to a private'],
    ];
    for (const [extra, message] of refusals) {
      const refused = await run(['provider-key', 'set', 'azure-openai', '--org', orgId, ...extra], { stdin: `${AZURE}\n` });
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining(message)]);
      expect(refused.stderr).not.toContain(AZURE);
    }
    const openai = await run(['provider-key', 'set', 'openai', '--org', orgId, '--base-url', 'https://x.openai.azure.com'], {
      stdin: `${SECRET}\n`,
    });
    expect([openai.code, openai.stderr]).toEqual([2, expect.stringContaining('openai takes no baseUrl')]);

    // An allowlisted host may be private and plain http (NAVPLANE_UPSTREAM_ALLOWLIST lifts both rules for it).
    const set = await run(
      ['provider-key', 'set', 'azure-openai', '--org', orgId, '--base-url', 'http://10.1.2.3:8080/', '--format', 'json'],
      {
        stdin: `${AZURE}\n`,
        env: { NAVPLANE_UPSTREAM_ALLOWLIST: '10.0.0.0/8' },
      },
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ provider: 'azure-openai', last4: 'cdef', baseUrl: 'http://10.1.2.3:8080' });
    const list = await run(['provider-key', 'list', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ providerKeys: [{ provider: 'azure-openai', baseUrl: 'http://10.1.2.3:8080' }] });
    const table = await run(['provider-key', 'list', '--org', orgId]);
    expect(table.stdout).toMatch(/azure-openai\s+default\s+cdef\s+\S+\s+-\s+http:\/\/10\.1\.2\.3:8080/);
    expect((await run(['provider-key', 'delete', 'azure-openai', '--org', orgId])).code).toBe(0);
  });

  it('refuses a key given in argv, with a clear message that never echoes it', async () => {
    const attempts = [
      ['provider-key', 'set', 'openai', SECRET, '--org', orgId],
      ['provider-key', 'set', 'openai', '--org', orgId, '--key', SECRET],
      ['provider-key', 'set', 'openai', '--org', orgId, `--key=${SECRET}`],
      ['provider-key', 'set', 'openai', '--org', orgId, `--api-key=${SECRET}`],
    ];
    for (const args of attempts) {
      const refused = await run(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'navplane: refusing to take a provider key from the command line (shell history, process list): pipe it on stdin or use --from-file <path>\n',
      );
    }
    const unknown = await run(['provider-key', 'set', 'openai', '--org', orgId, `--secret=${SECRET}`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("navplane: unknown option '--secret=…' (see --help)\n");
    const list = await run(['provider-key', 'list', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ providerKeys: [] });
  });

  it('stores a key for every provider of the registry: mistral', async () => {
    const set = await run(['provider-key', 'set', 'mistral', '--org', orgId, '--format', 'json'], { stdin: `${SECRET}\n` });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ schemaVersion: 1, orgId, provider: 'mistral', last4: '1234' });
    const list = await run(['provider-key', 'list', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ providerKeys: [{ provider: 'mistral', last4: '1234' }] });
    const deleted = await run(['provider-key', 'delete', 'mistral', '--org', orgId, '--format', 'json']);
    expect(JSON.parse(deleted.stdout)).toEqual({ schemaVersion: 1, orgId, provider: 'mistral', deleted: true });
  });

  it('stores a key for an operator-defined provider of the config file', async () => {
    const file = join(sandbox.cwd, 'providers.yaml');
    await writeFile(file, 'providers:\n  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }\n');
    const env = { NAVPLANE_CONFIG: file };
    const set = await run(['provider-key', 'set', 'vllm', '--org', orgId, '--format', 'json'], { stdin: `${SECRET}\n`, env });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ orgId, provider: 'vllm', last4: '1234' });
    const deleted = await run(['provider-key', 'delete', 'vllm', '--org', orgId, '--format', 'json'], { env });
    expect(JSON.parse(deleted.stdout)).toMatchObject({ provider: 'vllm', deleted: true });
    // Without the config file vllm is no provider.
    const unknown = await run(['provider-key', 'set', 'vllm', '--org', orgId], { stdin: SECRET });
    expect(unknown.code).toBe(2);
  });

  it('rejects empty input, an unknown provider, an unknown org and a missing master key', async () => {
    const empty = await run(['provider-key', 'set', 'openai', '--org', orgId], { stdin: '\n' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('navplane: no provider key given: pipe it on stdin or use --from-file <path>\n');
    const twoWords = await run(['provider-key', 'set', 'openai', '--org', orgId], { stdin: `${SECRET} ${SECRET}\n` });
    expect(twoWords.code).toBe(1);
    const provider = await run(['provider-key', 'set', 'acme-llm', '--org', orgId], { stdin: SECRET });
    expect(provider.code).toBe(2);
    expect(provider.stderr).toMatch(/^navplane: .*provider must be one of: openai, anthropic, gemini, mistral/);
    const org = await run(['provider-key', 'set', 'openai', '--org', 'org_nope'], { stdin: SECRET });
    expect(org.code).toBe(1);
    const noMaster = await run(['provider-key', 'set', 'anthropic', '--org', orgId], { stdin: SECRET, env: { NAVPLANE_MASTER_KEY: '' } });
    expect(noMaster.code).toBe(1);
    expect(noMaster.stderr).toMatch(/^navplane: NAVPLANE_MASTER_KEY is not set and .*master\.key does not exist/);
  });

  it('never prints a provider key anywhere', () => {
    for (const output of outputs) {
      expect(output).not.toContain('CANARY');
    }
  });
});
