import { expect } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHANGE_TOPICS, createRepositories } from '@navplane/storage';
import { routeTable, smartFallbackRoute, TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

const OPENAI_KEY = 'sk-CANARY-route-test-key-1234';

describe.each(TEST_DIALECTS)('navplane route on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  let orgId: string;

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.routesChanged]);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Routes Org', '--format', 'json'])).id;
    await sandbox.json(['provider-key', 'set', 'openai', '--org', orgId, '--format', 'json'], { stdin: `${OPENAI_KEY}\n` });
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  // The shared `smart` fallback route (libs/testing), retried on 5xx and 429.
  const { input: smart, stored: smartStored } = routeTable(smartFallbackRoute({ retry: { attempts: 3, on: ['5xx', '429'] } }));

  it('shows an empty table, sets one from a file (announced, audited as the CLI) and shows it as a table and as JSON', async () => {
    const empty = await sandbox.run(['route', 'show', '--org', orgId]);
    expect([empty.code, empty.stdout]).toEqual([0, `${orgId} has no routes\n`]);
    expect(await sandbox.json(['route', 'show', '--org', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, routes: [] });

    const file = join(sandbox.cwd, 'routes.json');
    await writeFile(file, JSON.stringify(smart));
    const set = await sandbox.run(['route', 'set', '--org', orgId, '--file', file]);
    expect([set.code, set.stdout, set.stderr]).toEqual([0, `stored 1 route for ${orgId}: smart\n`, '']);
    await changes.waitFor(CHANGE_TOPICS.routesChanged, { orgId });

    expect(await sandbox.json(['route', 'show', '--org', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, ...smartStored });
    const table = await sandbox.run(['route', 'show', '--org', orgId]);
    expect(table.stdout.split('\n')[0]).toMatch(/^MODEL\s+STRATEGY\s+TARGETS\s+RETRY$/);
    expect(table.stdout).toContain('smart  fallback  openai/gpt-4.1 [default], openai/gpt-4.1-mini [default] w=2  3 attempts on 5xx,429');

    const [audit] = await createRepositories(sandbox.testDb.database).auditLog.list({ orgId, limit: 1 });
    expect(audit).toMatchObject({ action: 'routes.put', actorType: 'cli', details: { count: 1, routes: [{ model: 'smart' }] } });
    expect(JSON.stringify(audit)).not.toContain(OPENAI_KEY);
  });

  it('reads the document from stdin with --file -, taking back what `show --format json` printed', async () => {
    const shown = await sandbox.run(['route', 'show', '--org', orgId, '--format', 'json']);
    const edited = JSON.parse(shown.stdout) as { routes: Array<{ model: string }> };
    const first = edited.routes[0];
    if (first === undefined) throw new Error('no route shown');
    first.model = 'renamed';
    const set = await sandbox.run(['route', 'set', '--org', orgId, '--file', '-', '--format', 'json'], { stdin: JSON.stringify(edited) });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ schemaVersion: 1, orgId, routes: [{ ...smartStored.routes[0], model: 'renamed' }] });
    const cleared = await sandbox.run(['route', 'set', '--org', orgId, '--file', '-'], { stdin: '{"routes":[]}' });
    expect([cleared.code, cleared.stdout]).toEqual([0, `stored 0 routes for ${orgId}\n`]);
  });

  it('refuses bad input with one line on stderr and a non-zero exit, changing nothing', async () => {
    await sandbox.run(['route', 'set', '--org', orgId, '--file', '-'], { stdin: JSON.stringify(smart) });
    const otherOrg = (await sandbox.json<{ id: string }>(['org', 'create', 'Other', '--format', 'json'])).id;
    const file = join(sandbox.cwd, 'bad.json');
    const cases: Array<[string[], string | undefined, number, string]> = [
      [
        ['--file', '-'],
        JSON.stringify({
          routes: [
            {
              model: 'x',
              targets: [
                { provider: 'openia', model: 'gpt-4.1' },
                { provider: 'openai', model: 'm', key: 'eu' },
              ],
            },
          ],
        }),
        2,
        `navplane: ${orgId}: Invalid routing table (2 problems): routes[0].targets[0].provider (route "x"): unknown provider "openia"; routes[0].targets[1].key (route "x"): this org has no openai key named "eu" (it has: default)\n`,
      ],
      [
        ['--file', '-'],
        JSON.stringify({ routes: [{ model: 'c', targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] }] }),
        2,
        'this org has no anthropic key stored',
      ],
      [['--file', '-'], '{"routes": [', 2, 'navplane: stdin is not JSON: '],
      [
        ['--file', '-'],
        JSON.stringify({ schemaVersion: 1, orgId: otherOrg, routes: [] }),
        2,
        `stdin is the routing table of "${otherOrg}", not of ${orgId}`,
      ],
      [['--file', join(sandbox.cwd, 'missing.json')], undefined, 1, 'cannot read the routing table from'],
    ];
    for (const [args, stdin, code, message] of cases) {
      const run = await sandbox.run(['route', 'set', '--org', orgId, ...args], stdin === undefined ? {} : { stdin });
      expect(run.code).toBe(code);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    await writeFile(file, JSON.stringify({ routes: [] }));
    const unknownOrg = await sandbox.run(['route', 'set', '--org', 'org_missing', '--file', file]);
    expect([unknownOrg.code, unknownOrg.stderr]).toEqual([1, 'navplane: org_missing: No such org\n']);
    const show = await sandbox.run(['route', 'show', '--org', 'org_missing']);
    expect([show.code, show.stderr]).toEqual([1, 'navplane: org_missing: No such org\n']);
    const noFile = await sandbox.run(['route', 'set', '--org', orgId]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("required option '--file <path>' not specified");

    expect(await sandbox.json(['route', 'show', '--org', orgId, '--format', 'json'])).toEqual({ schemaVersion: 1, orgId, ...smartStored });
  });
});
