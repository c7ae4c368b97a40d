import { expect } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '@navplane/core';
import { CHANGE_TOPICS, createRepositories } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

const HOOK_TOKEN = 'hook-token-in-the-path-0123456789';
const WEBHOOK = `https://hooks.example.com/services/${HOOK_TOKEN}`;

describe.each(TEST_DIALECTS)('navplane limits on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  let orgId: string;
  let otherOrg: string;
  let workspaceId: string;
  let keyId: string;
  let otherKeyId: string;

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.limitsChanged]);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Limits Org', '--format', 'json'])).id;
    otherOrg = (await sandbox.json<{ id: string }>(['org', 'create', 'Other', '--format', 'json'])).id;
    // Workspaces have no CLI command: one is stored straight away.
    workspaceId = newId('workspace');
    await createRepositories(sandbox.testDb.database).workspaces.create({
      id: workspaceId,
      orgId,
      name: 'team',
      createdAt: new Date().toISOString(),
    });
    keyId = (await sandbox.json<{ id: string }>(['key', 'create', '--org', orgId, '--name', 'ci', '--format', 'json'])).id;
    otherKeyId = (await sandbox.json<{ id: string }>(['key', 'create', '--org', otherOrg, '--name', 'ci', '--format', 'json'])).id;
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  const documentOf = () => ({
    limits: [
      { scope: { type: 'org', id: orgId }, rpm: 600, tpm: 200_000, budget: { usd: 50, period: 'month' } },
      { scope: { type: 'workspace', id: workspaceId }, concurrency: 20 },
      { scope: { type: 'key', id: keyId }, budget: { usd: 5, period: 'day' }, alerts: { thresholds: [1, 0.5, 0.8], webhookUrl: WEBHOOK } },
    ],
  });
  const storedOf = () => ({
    limits: [
      { scope: { type: 'org' }, rpm: 600, tpm: 200_000, budget: { usd: 50, period: 'month' } },
      { scope: { type: 'workspace', id: workspaceId }, concurrency: 20 },
      { scope: { type: 'key', id: keyId }, budget: { usd: 5, period: 'day' }, alerts: { thresholds: [0.5, 0.8, 1], webhookUrl: WEBHOOK } },
    ],
  });

  it('shows no limits, sets a document from a file (announced, audited as the CLI) and shows it as a table and as JSON', async () => {
    const empty = await sandbox.run(['limits', 'show', orgId]);
    expect([empty.code, empty.stdout]).toEqual([0, `${orgId} has no limits\n`]);
    expect(await sandbox.json(['limits', 'show', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, limits: [] });

    const file = join(sandbox.cwd, 'limits.json');
    await writeFile(file, JSON.stringify(documentOf()));
    const set = await sandbox.run(['limits', 'set', orgId, '--file', file]);
    expect([set.code, set.stdout, set.stderr]).toEqual([
      0,
      `stored 3 limits for ${orgId}: org, workspace:${workspaceId}, key:${keyId}\n`,
      '',
    ]);
    await changes.waitFor(CHANGE_TOPICS.limitsChanged, { orgId });

    expect(await sandbox.json(['limits', 'show', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, ...storedOf() });
    // `--org`, as `route` takes it, names the org too.
    expect(await sandbox.json(['limits', 'show', '--org', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, ...storedOf() });
    const table = await sandbox.run(['limits', 'show', orgId]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SCOPE\s+RPM\s+TPM\s+CONCURRENCY\s+BUDGET\s+ALERTS$/);
    expect(lines[1]).toMatch(/^org\s+600\s+200000\s+-\s+\$50\/month\s+-$/);
    expect(lines[2]).toMatch(new RegExp(`^workspace:${workspaceId}\\s+-\\s+-\\s+20\\s+-\\s+-$`));
    expect(lines[3]).toMatch(new RegExp(`^key:${keyId}\\s+-\\s+-\\s+-\\s+\\$5/day\\s+50%,80%,100% → https://hooks.example.com$`));
    expect(table.stdout).not.toContain(HOOK_TOKEN);

    const [audit] = await createRepositories(sandbox.testDb.database).auditLog.list({ orgId, limit: 1 });
    expect(audit).toMatchObject({
      action: 'limits.put',
      actorType: 'cli',
      targetType: 'org',
      targetId: orgId,
      details: {
        count: 3,
        limits: [{ scope: { type: 'org' } }, { scope: { type: 'workspace', id: workspaceId } }, { scope: { type: 'key', id: keyId } }],
      },
    });
    expect(JSON.stringify(audit)).not.toContain(HOOK_TOKEN);
  });

  it('reads the document from stdin with --file -, taking back what `show --format json` printed', async () => {
    const shown = await sandbox.run(['limits', 'show', orgId, '--format', 'json']);
    const edited = JSON.parse(shown.stdout) as { limits: Array<{ rpm?: number }> };
    const first = edited.limits[0];
    if (first === undefined) throw new Error('no limit shown');
    first.rpm = 1200;
    const set = await sandbox.run(['limits', 'set', orgId, '--file', '-', '--format', 'json'], { stdin: JSON.stringify(edited) });
    expect(set.code).toBe(0);
    const [org, ...rest] = storedOf().limits;
    expect(JSON.parse(set.stdout)).toEqual({ schemaVersion: 1, orgId, limits: [{ ...org, rpm: 1200 }, ...rest] });
    const cleared = await sandbox.run(['limits', 'set', orgId, '--file', '-'], { stdin: '{"limits":[]}' });
    expect([cleared.code, cleared.stdout]).toEqual([0, `stored 0 limits for ${orgId}\n`]);
  });

  it('refuses bad input with one line on stderr and a non-zero exit, changing nothing', async () => {
    await sandbox.run(['limits', 'set', orgId, '--file', '-'], { stdin: JSON.stringify(documentOf()) });
    const cases: Array<[string[], string | undefined, number, string]> = [
      [
        ['--file', '-'],
        JSON.stringify({
          limits: [
            { scope: { type: 'key', id: otherKeyId }, rpm: 0 },
            { scope: { type: 'org' }, rpm: 1, budget: { usd: -1, period: 'month' } },
          ],
        }),
        2,
        `navplane: ${orgId}: Invalid limits document (2 problems): limits[0].rpm: Too small: expected number to be >0; limits[1].budget.usd: `,
      ],
      [
        ['--file', '-'],
        JSON.stringify({ limits: [{ scope: { type: 'key', id: otherKeyId }, rpm: 1 }] }),
        2,
        `navplane: ${orgId}: Invalid limits document: limits[0].scope.id: no NavPlane key "${otherKeyId}" in this org\n`,
      ],
      [['--file', '-'], '{"limits": [', 2, 'navplane: stdin is not JSON: '],
      [
        ['--file', '-'],
        JSON.stringify({ schemaVersion: 1, orgId: otherOrg, limits: [] }),
        2,
        `stdin is the limits document of "${otherOrg}", not of ${orgId}`,
      ],
      [['--file', join(sandbox.cwd, 'missing.json')], undefined, 1, 'cannot read the limits document from'],
      [['--org', otherOrg, '--file', '-'], '{"limits":[]}', 2, `two orgs given (${orgId} and --org ${otherOrg})`],
    ];
    for (const [args, stdin, code, message] of cases) {
      const run = await sandbox.run(['limits', 'set', orgId, ...args], stdin === undefined ? {} : { stdin });
      expect(run.code).toBe(code);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    const file = join(sandbox.cwd, 'empty-limits.json');
    await writeFile(file, JSON.stringify({ limits: [] }));
    const unknownOrg = await sandbox.run(['limits', 'set', 'org_missing', '--file', file]);
    expect([unknownOrg.code, unknownOrg.stderr]).toEqual([1, 'navplane: org_missing: No such org\n']);
    const show = await sandbox.run(['limits', 'show', 'org_missing']);
    expect([show.code, show.stderr]).toEqual([1, 'navplane: org_missing: No such org\n']);
    const noOrg = await sandbox.run(['limits', 'show']);
    expect([noOrg.code, noOrg.stderr]).toEqual([2, 'navplane: which org? navplane limits show <orgId>\n']);
    const noFile = await sandbox.run(['limits', 'set', orgId]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("required option '--file <path>' not specified");

    expect(await sandbox.json(['limits', 'show', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, ...storedOf() });
  });
});
