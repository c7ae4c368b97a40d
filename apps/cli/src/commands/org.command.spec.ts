import { expect } from '@jest/globals';
import { CHANGE_TOPICS, createRepositories } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { recordChanges, type ChangeRecorder } from '../testing/change-events.fixture';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

interface OrgJson {
  schemaVersion: number;
  id: string;
  name: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

describe.each(TEST_DIALECTS)('navplane org on %s', (dialect) => {
  let sandbox: CliSandbox;
  let changes: ChangeRecorder;
  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    changes = await recordChanges(sandbox.testDb.database, [CHANGE_TOPICS.orgChanged]);
  });
  afterAll(async () => {
    await changes?.close();
    await sandbox?.cleanup();
  });

  it('creates, lists, disables and enables orgs; every mutation is audited and announced', async () => {
    const acme = await sandbox.json<OrgJson>(['org', 'create', 'Acme', '--format', 'json']);
    expect(acme).toMatchObject({ schemaVersion: 1, name: 'Acme', enabled: true, id: expect.stringMatching(/^org_/) });
    await changes.waitFor(CHANGE_TOPICS.orgChanged, { orgId: acme.id });
    const beta = await sandbox.run(['org', 'create', 'Beta Corp']);
    expect(beta.code).toBe(0);
    expect(beta.stdout).toMatch(/^created org org_\w+ \(Beta Corp\): enabled\n$/);

    const list = await sandbox.json<{ orgs: OrgJson[] }>(['org', 'list', '--format', 'json']);
    expect(list.orgs.map((o) => o.name)).toEqual(['Acme', 'Beta Corp']);

    const disabled = await sandbox.json<OrgJson>(['org', 'disable', acme.id, '--format', 'json']);
    expect(disabled).toMatchObject({ id: acme.id, enabled: false });
    await changes.waitFor(CHANGE_TOPICS.orgChanged, { orgId: acme.id });
    expect((await createRepositories(sandbox.testDb.database).orgs.findById(acme.id))?.enabled).toBe(false);

    const enabled = await sandbox.run(['org', 'enable', acme.id]);
    expect(enabled.stdout).toBe(`enabled org ${acme.id} (Acme): enabled\n`);

    const audit = await createRepositories(sandbox.testDb.database).auditLog.list({ orgId: acme.id });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ['org.enable', 'cli', null],
      ['org.disable', 'cli', null],
      ['org.create', 'cli', null],
    ]);

    const table = await sandbox.run(['org', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ENABLED/);
  });

  it('fails with one line: unknown org (1), bad name (2), missing argument (2)', async () => {
    const unknown = await sandbox.run(['org', 'disable', 'org_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('navplane: org_nope: No such org\n');
    const bad = await sandbox.run(['org', 'create', ' ']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^navplane: .*name/);
    const missing = await sandbox.run(['org', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^navplane: missing required argument 'name'/);
  });
});

describe('navplane org without a database', () => {
  it('refuses to run against an uninitialised database and creates nothing', async () => {
    const sandbox = await createCliSandbox('sqlite');
    try {
      const run = await sandbox.run(['org', 'list'], { env: { NAVPLANE_DATABASE_URL: `sqlite:${sandbox.cwd}/missing.db` } });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^navplane: the database file .*missing\.db does not exist: run `npx navplane migrate`/);
    } finally {
      await sandbox.cleanup();
    }
  });
});
