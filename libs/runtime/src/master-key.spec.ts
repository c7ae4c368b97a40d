import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveMasterKey } from './master-key';

describe('resolveMasterKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navplane-mk-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the configured key and writes no file', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'data', 'master.key');
    const result = await resolveMasterKey({ configured: key, production: true, filePath: file });
    expect(result).toEqual({ ok: true, value: { key, source: 'env' } });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('generates ./data/master.key once with mode 0600 and reuses it', async () => {
    const file = join(dir, 'data', 'master.key');
    const first = await resolveMasterKey({ production: false, filePath: file });
    expect(first.ok && first.value.source).toBe('generated');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await resolveMasterKey({ production: false, filePath: file });
    expect(second.ok && second.value.source).toBe('file');
    expect(first.ok && second.ok && first.value.key.equals(second.value.key)).toBe(true);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('agrees on one key when several processes start at once', async () => {
    const file = join(dir, 'data', 'master.key');
    const results = await Promise.all(Array.from({ length: 8 }, () => resolveMasterKey({ production: false, filePath: file })));
    const keys = new Set(results.map((r) => (r.ok ? r.value.key.toString('hex') : 'error')));
    expect(keys.size).toBe(1);
    expect(keys.has('error')).toBe(false);
  });

  it('refuses in production without a configured key', async () => {
    const file = join(dir, 'master.key');
    const result = await resolveMasterKey({ production: true, filePath: file });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/NAVPLANE_MASTER_KEY: required when NODE_ENV=production/);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a corrupt key file without showing its content', async () => {
    const file = join(dir, 'master.key');
    await writeFile(file, 'c2VjcmV0LXRvby1zaG9ydA==\n', { mode: 0o600 });
    const result = await resolveMasterKey({ production: false, filePath: file });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('exactly 32 bytes');
    expect(!result.ok && result.error).not.toContain('c2VjcmV0');
  });
});
