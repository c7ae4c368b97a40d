import { parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it('resolves sqlite paths against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/navplane.db', '/srv/app')).toEqual({
      ok: true,
      value: { dialect: 'sqlite', filename: '/srv/app/data/navplane.db' },
    });
    expect(parseDatabaseUrl('sqlite:data/x.db', '/srv/app')).toEqual({
      ok: true,
      value: { dialect: 'sqlite', filename: '/srv/app/data/x.db' },
    });
  });

  it('keeps absolute sqlite paths, also in URL form, whatever the working directory', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/np.db', '/srv')).toEqual({
      ok: true,
      value: { dialect: 'sqlite', filename: '/var/lib/np.db' },
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/np.db', '/srv')).toEqual({
      ok: true,
      value: { dialect: 'sqlite', filename: '/var/lib/np.db' },
    });
  });

  it('allows an in-memory sqlite database', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ ok: true, value: { dialect: 'sqlite', filename: ':memory:' } });
  });

  it('takes schemes case-insensitively and ignores surrounding whitespace', () => {
    expect(parseDatabaseUrl(' SQLite:./x.db\n', '/srv')).toEqual({ ok: true, value: { dialect: 'sqlite', filename: '/srv/x.db' } });
    expect(parseDatabaseUrl('POSTGRES://db.internal/np ')).toEqual({
      ok: true,
      value: { dialect: 'postgres', connectionString: 'POSTGRES://db.internal/np' },
    });
  });

  it('accepts both postgres schemes, with a host or a socket directory', () => {
    for (const url of [
      'postgres://u:p@db:5432/np',
      'postgresql://u@127.0.0.1/np?sslmode=disable',
      'postgres://[::1]:5432/np',
      'postgres:///np?host=/var/run/postgresql',
    ]) {
      expect(parseDatabaseUrl(url)).toEqual({ ok: true, value: { dialect: 'postgres', connectionString: url } });
    }
  });

  it.each([
    [
      'mysql://root:hunter2@db/np',
      /^must be sqlite:<path> \(e\.g\. sqlite:\.\/data\/navplane\.db\) or a postgres:\/\/ or postgresql:\/\/ URL$/,
    ],
    ['./navplane.db', /^must be sqlite:<path> \(e\.g\./],
    ['', /^must be sqlite:<path> \(e\.g\./],
    ['sqlite:', /^must be sqlite:<path> with a file path/],
    ['sqlite://x/hunter2.db', /^must be sqlite:<path> with a file path: sqlite:\/\/<host>\/… names no file/],
    ['postgres:db', /^must be a postgres:\/\/ URL with a host/],
    ['postgres:///db', /^must be a postgres:\/\/ URL with a host/],
    ['postgres:///db?host=', /^must be a postgres:\/\/ URL with a host/],
    ['postgres://u:hunter2@/db', /^must be a valid postgres:\/\/ URL/],
  ])('refuses %j with one line that does not echo it', (url, message) => {
    const result = parseDatabaseUrl(url);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(message);
    expect(result.error).not.toContain('\n');
    expect(result.error).not.toContain('hunter2');
  });
});
