import { expect } from '@jest/globals';
import { createCliSandbox, type CliSandbox } from '../testing/cli-sandbox.fixture';

jest.setTimeout(60_000);

describe('navplane admin-token', () => {
  let sandbox: CliSandbox;
  beforeAll(async () => {
    sandbox = await createCliSandbox('sqlite');
  });
  afterAll(async () => {
    await sandbox?.cleanup();
  });

  it('creates a token shown once, lists it without the token, revokes it', async () => {
    const create = await sandbox.run(['admin-token', 'create', '--name', 'ops', '--format', 'json']);
    expect(create.code).toBe(0);
    const created = JSON.parse(create.stdout) as { schemaVersion: number; token: string; id: string; name: string };
    expect(created).toMatchObject({ schemaVersion: 1, name: 'ops', id: expect.stringMatching(/^adm_/) });
    expect(created.token).toMatch(/^npa_/);

    const list = await sandbox.run(['admin-token', 'list', '--format', 'json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ adminTokens: [{ id: created.id, name: 'ops' }] });
    expect(list.stdout).not.toContain(created.token);
    expect(list.stdout).not.toMatch(/tokenHash|argon2/);

    const doctor = await sandbox.run(['doctor', '--format', 'json']);
    expect(doctor.stdout).toMatch(/1 stored admin token/);
    expect(doctor.stdout).not.toContain(created.token);

    const revoke = await sandbox.run(['admin-token', 'revoke', created.id]);
    expect(revoke.stdout).toBe(`revoked admin token ${created.id} (ops)\n`);
    expect(revoke.stdout).not.toContain(created.token);
    const after = await sandbox.run(['admin-token', 'list', '--format', 'json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ adminTokens: [] });

    const table = await sandbox.run(['admin-token', 'create', '--name', 'second']);
    expect(table.stdout).toMatch(/^token {8}npa_\S+\n/);
  });

  it('requires a name (exit 2) and reports an unknown token (exit 1)', async () => {
    expect((await sandbox.run(['admin-token', 'create'])).code).toBe(2);
    const unknown = await sandbox.run(['admin-token', 'revoke', 'adm_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^navplane: adm_nope: /);
  });
});
