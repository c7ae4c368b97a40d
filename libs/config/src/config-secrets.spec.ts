import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig } from './describe-config';
import { formatConfigProblems } from './config-problems';
import { loadConfig } from './load-config';
import { maskDatabaseUrl } from './mask';

// Canary secrets: if any of these substrings shows up in a problem or a description, a secret leaked.
const KEY_CANARY = 'CANARY-master-key-32-bytes-long!';
const VALID_MASTER_KEY = Buffer.from(KEY_CANARY).toString('base64');
const BAD_MASTER_KEY = 'CANARYmasterKEYnotBase64!!';
const VALID_TOKEN = 'CANARYadminTOKEN0123456789';
const BAD_TOKEN = 'CANARYshort';
const DB_PASSWORD = 'CANARYdbPASSWORD';

const CANARIES = [KEY_CANARY, VALID_MASTER_KEY, BAD_MASTER_KEY, VALID_TOKEN, BAD_TOKEN, DB_PASSWORD, 'CANARY'];

function expectNoCanary(text: string): void {
  for (const canary of CANARIES) expect(text).not.toContain(canary);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'navplane-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets never appear in problems', () => {
  it.each([
    ['an invalid master key', { NAVPLANE_MASTER_KEY: BAD_MASTER_KEY }, 'NAVPLANE_MASTER_KEY'],
    ['a short admin token', { NAVPLANE_ADMIN_TOKEN: BAD_TOKEN }, 'NAVPLANE_ADMIN_TOKEN'],
    ['a token with whitespace', { NAVPLANE_ADMIN_TOKEN: `${VALID_TOKEN} x` }, 'NAVPLANE_ADMIN_TOKEN'],
    ['a postgres URL without a host', { NAVPLANE_DATABASE_URL: `postgres://user:${DB_PASSWORD}@/db` }, 'NAVPLANE_DATABASE_URL'],
    ['a wrong database scheme', { NAVPLANE_DATABASE_URL: `mysql://user:${DB_PASSWORD}@db/x` }, 'NAVPLANE_DATABASE_URL'],
    ['a password query parameter', { NAVPLANE_DATABASE_URL: `mysql://db/x?password=${DB_PASSWORD}` }, 'NAVPLANE_DATABASE_URL'],
    ['an unencoded @ in the password', { NAVPLANE_DATABASE_URL: `mysql://u:${DB_PASSWORD}@x@db/x` }, 'NAVPLANE_DATABASE_URL'],
  ])('%s', (_name, env, variable) => {
    const result = loadConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((p) => p.variable)).toEqual([variable]);
    expectNoCanary(JSON.stringify(result.error));
    expectNoCanary(formatConfigProblems(result.error).join('\n'));
  });

  it('shows the rest of a bad database URL with the password masked', () => {
    const result = loadConfig({ NAVPLANE_DATABASE_URL: `mysql://user:${DB_PASSWORD}@db/x` });
    expect(result.ok ? [] : formatConfigProblems(result.error)).toEqual([
      expect.stringMatching(/^NAVPLANE_DATABASE_URL: must be .* \(got "mysql:\/\/user:\*\*\*@db\/x"\)$/),
    ]);
  });

  it('says where a bad secret came from without showing it', () => {
    const path = join(dir, 'navplane.yaml');
    writeFileSync(path, `master_key: ${BAD_MASTER_KEY}\nadmin_token: ${BAD_TOKEN}\n`);
    const result = loadConfig({ NAVPLANE_CONFIG: path });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expectNoCanary(JSON.stringify(result.error));
    expect(result.error[0]?.message).toMatch(/\(set from config file key master_key\)$/);
  });

  it('does not quote the file around a YAML or JSON syntax error', () => {
    for (const [name, text] of [
      ['broken.yaml', `admin_token: ${VALID_TOKEN}\n  master_key: "${VALID_MASTER_KEY}\n: :\n`],
      ['broken.json', `{"admin_token": "${VALID_TOKEN}", "master_key": ${VALID_MASTER_KEY}}`],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const result = loadConfig({ NAVPLANE_CONFIG: path });
      expect(result.ok).toBe(false);
      if (!result.ok) expectNoCanary(JSON.stringify(result.error));
    }
  });
});

describe('describeConfig', () => {
  it('shows secrets only as set / not set and masks the database password', () => {
    const result = loadConfig({
      NAVPLANE_MASTER_KEY: VALID_MASTER_KEY,
      NAVPLANE_ADMIN_TOKEN: VALID_TOKEN,
      NAVPLANE_DATABASE_URL: `postgres://navplane:${DB_PASSWORD}@db.internal:5432/navplane?sslpassword=${DB_PASSWORD}`,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const view = describeConfig(result.value);
    expectNoCanary(JSON.stringify(view));
    const byName = Object.fromEntries(view.map((s) => [s.variable, s]));
    expect(byName['NAVPLANE_MASTER_KEY']).toEqual({
      variable: 'NAVPLANE_MASTER_KEY',
      fileKey: 'master_key',
      value: 'set',
      source: 'env',
    });
    expect(byName['NAVPLANE_ADMIN_TOKEN']?.value).toBe('set');
    expect(byName['NAVPLANE_DATABASE_URL']?.value).toBe('postgres://navplane:***@db.internal:5432/navplane?sslpassword=***');
  });

  it('masks the Redis password', () => {
    const result = loadConfig({ NAVPLANE_REDIS_URL: `rediss://:${DB_PASSWORD}@redis.internal:6380/2` });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const view = describeConfig(result.value);
    expectNoCanary(JSON.stringify(view));
    expect(view.find((s) => s.variable === 'NAVPLANE_REDIS_URL')?.value).toBe('rediss://:***@redis.internal:6380/2');
  });

  it('shows unset secrets as not set', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error('defaults must be valid');
    const values = describeConfig(result.value).filter((s) => s.variable.match(/MASTER_KEY|ADMIN_TOKEN|_HEADERS$/));
    expect(values.map((s) => s.value)).toEqual(['not set', 'not set', 'not set', 'not set', 'not set', 'not set']);
  });
});

describe('maskDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/navplane.db', 'sqlite:./data/navplane.db'],
    ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://postgres@127.0.0.1:5432/postgres'],
    ['postgres://u:secret@h/db', 'postgres://u:***@h/db'],
    ['postgresql://u:p%40ss@h:5432/db?sslmode=require&password=x', 'postgresql://u:***@h:5432/db?sslmode=require&password=***'],
  ])('%s → %s', (url, masked) => {
    expect(maskDatabaseUrl(url)).toBe(masked);
  });
});

describe('passwords inside other URLs', () => {
  it.each([
    ['NAVPLANE_OPENAI_BASE_URL', `https://user:${DB_PASSWORD}@api.example.com`],
    ['NAVPLANE_ANTHROPIC_BASE_URL', `ftp://user:${DB_PASSWORD}@api.example.com`],
    ['NAVPLANE_ADMIN_CORS_ORIGINS', `https://ok.example.com,https://user:${DB_PASSWORD}@dash.example.com`],
    ['NAVPLANE_REDIS_URL', `http://user:${DB_PASSWORD}@redis.internal:6379`],
  ])('%s never echoes the password', (variable, value) => {
    const result = loadConfig({ [variable]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((p) => p.variable)).toEqual([variable]);
    expectNoCanary(JSON.stringify(result.error));
    expect(result.error[0]?.message).toContain('user:***@');
  });
});
