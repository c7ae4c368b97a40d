import { expect } from '@jest/globals';
import { WEBHOOK_SECRET_NAME } from '@navplane/limits';
import { createRepositories } from '@navplane/storage';
import { TEST_DIALECTS } from '@navplane/testing';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

describe.each(TEST_DIALECTS)('navplane limits rotate-webhook-secret on %s', (dialect) => {
  let sandbox: CliSandbox;
  let orgId: string;

  beforeAll(async () => {
    sandbox = await createCliSandbox(dialect);
    orgId = (await sandbox.json<{ id: string }>(['org', 'create', 'Alerts Org', '--format', 'json'])).id;
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('prints a new secret each time (text and JSON), audited as the CLI without the secret', async () => {
    const first = await sandbox.run(['limits', 'rotate-webhook-secret', orgId]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    const second = await sandbox.json<{ orgId: string; webhookSecret: string }>([
      'limits',
      'rotate-webhook-secret',
      orgId,
      '--format',
      'json',
    ]);
    expect(second).toMatchObject({ orgId });
    expect(second.webhookSecret).not.toBe(secret);

    const audit = await createRepositories(sandbox.testDb.database).auditLog.list({ orgId });
    const rotations = audit.filter((entry) => entry.action === 'limits.webhook_secret.rotate');
    expect(rotations.map((entry) => entry.actorType)).toEqual(['cli', 'cli']);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(audit)).not.toContain(second.webhookSecret);
    expect(WEBHOOK_SECRET_NAME).toBe('navplane.webhook-secret');
  });

  it('fails for an org that does not exist', async () => {
    const missing = await sandbox.run(['limits', 'rotate-webhook-secret', 'org_01jmissing000000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such org');
  });
});
