import { expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_SETTINGS } from '@navplane/config';
import { runCli } from '../testing/cli-process.fixture';

jest.setTimeout(30_000);

describe('navplane config validate', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-config-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('accepts the defaults and prints every setting with its source', async () => {
    const run = await runCli(['config', 'validate'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('configuration is valid');
    expect(run.stdout).toMatch(/NAVPLANE_GATEWAY_PORT\s+8080\s+default/);
    expect(run.stderr).toBe('');
  });

  it('prints a stable JSON document with --format json (file < env precedence shown by source)', async () => {
    const file = join(cwd, 'navplane.yaml');
    await writeFile(file, 'gateway_port: 9090\nadmin_port: 9091\n');
    const run = await runCli(['config', 'validate', '--format', 'json'], {
      cwd,
      env: { NAVPLANE_CONFIG: file, NAVPLANE_ADMIN_PORT: '9999' },
    });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      schemaVersion: number;
      valid: boolean;
      settings: Array<{ variable: string; value: unknown; source: string }>;
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.valid).toBe(true);
    const byName = Object.fromEntries(doc.settings.map((s) => [s.variable, s]));
    expect(byName['NAVPLANE_GATEWAY_PORT']).toMatchObject({ value: 9090, source: 'file' });
    expect(byName['NAVPLANE_ADMIN_PORT']).toMatchObject({ value: 9999, source: 'env' });
    expect(byName['NAVPLANE_HOST']).toMatchObject({ value: '127.0.0.1', source: 'default' });
  });

  it('lists exactly the settings of the table, in its order, secrets only as set / not set', async () => {
    const run = await runCli(['config', 'validate', '--format', 'json'], { cwd, env: { NAVPLANE_ADMIN_TOKEN: 'CANARY-admin-token-0123' } });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { settings: Array<{ variable: string; fileKey: string | null; value: unknown }> };
    expect(doc.settings.map((s) => s.variable)).toEqual(['NAVPLANE_CONFIG', ...CONFIG_SETTINGS.map((s) => s.env ?? s.fileKey)]);
    expect(doc.settings.slice(1).map((s) => s.fileKey)).toEqual(CONFIG_SETTINGS.map((s) => s.fileKey));
    const secrets = doc.settings.filter((s) => CONFIG_SETTINGS.some((setting) => setting.env === s.variable && setting.secret));
    // Only the admin token is set: every other secret (the master keys, the OTLP header maps) reads `not set`.
    expect(Object.fromEntries(secrets.map((s) => [s.variable, s.value]))).toEqual(
      Object.fromEntries(
        CONFIG_SETTINGS.filter((setting) => setting.secret && setting.env !== null).map((setting) => [
          setting.env,
          setting.env === 'NAVPLANE_ADMIN_TOKEN' ? 'set' : 'not set',
        ]),
      ),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    expect(run.stdout).not.toContain('CANARY');
  });

  it('exits 1 with one line per problem and never echoes a secret', async () => {
    const canary = 'CANARY-admin-token-with spaces';
    const run = await runCli(['config', 'validate'], {
      cwd,
      env: {
        NAVPLANE_GATEWAY_PORT: '70000',
        NAVPLANE_DATABASE_URL: 'mysql://x',
        NAVPLANE_ADMIN_TOKEN: canary,
        NAVPLANE_MASTER_KEY: 'CANARYmasterkey',
      },
    });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).toMatch(/NAVPLANE_GATEWAY_PORT: /);
    expect(lines.join('\n')).toMatch(/NAVPLANE_DATABASE_URL: /);
    expect(run.stderr).not.toContain('CANARY');
    expect(run.stdout).toBe('');
  });

  it('reports problems as JSON too, with a non-zero exit', async () => {
    const run = await runCli(['config', 'validate', '--format', 'json'], { cwd, env: { NAVPLANE_LOG_LEVEL: 'loud' } });
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { valid: boolean; problems: Array<{ variable: string; message: string }> };
    expect(doc.valid).toBe(false);
    expect(doc.problems).toEqual([{ variable: 'NAVPLANE_LOG_LEVEL', message: expect.any(String) }]);
  });

  it('shows the operator-defined providers of the config file', async () => {
    const file = join(cwd, 'providers.yaml');
    await writeFile(file, 'providers:\n  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }\n');
    const table = await runCli(['config', 'validate'], { cwd, env: { NAVPLANE_CONFIG: file } });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/providers\s+\{"id":"vllm","baseUrl":"http:\/\/127\.0\.0\.1:8000","auth":"bearer"\}\s+file/);
    const json = await runCli(['config', 'validate', '--format', 'json'], { cwd, env: { NAVPLANE_CONFIG: file } });
    const doc = JSON.parse(json.stdout) as { settings: Array<{ variable: string; value: unknown }> };
    expect(doc.settings.find((s) => s.variable === 'providers')?.value).toEqual([
      { id: 'vllm', baseUrl: 'http://127.0.0.1:8000', auth: 'bearer' },
    ]);
  });

  it('refuses bad operator-defined providers with one line each: duplicate id, bad auth, a built-in id', async () => {
    const file = join(cwd, 'bad-providers.yaml');
    await writeFile(
      file,
      [
        'providers:',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8001", auth: bearer }',
        '  - { id: groq, baseUrl: "https://api.groq.com/openai", auth: "token" }',
        '  - { id: openai, baseUrl: "https://proxy.example.com", auth: bearer }',
      ].join('\n'),
    );
    const run = await runCli(['config', 'validate'], { cwd, env: { NAVPLANE_CONFIG: file } });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'navplane: NAVPLANE_CONFIG: providers[1].id "vllm" is already the id of providers[0]',
      'navplane: NAVPLANE_CONFIG: providers[2].auth must be "bearer" or "header:<header name>" such as header:x-api-key',
      'navplane: NAVPLANE_CONFIG: providers[3].id "openai" is a built-in provider; choose another id',
    ]);
  });

  it('rejects an unknown command or option with a non-zero exit', async () => {
    const run = await runCli(['config', 'validate', '--format', 'xml'], { cwd });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/xml/);
  });
});
