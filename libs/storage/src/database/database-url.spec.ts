import { parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it('resolves sqlite paths against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:./data/navplane.db', '/srv/app')).toEqual({
      dialect: 'sqlite',
      filename: '/srv/app/data/navplane.db',
    });
    expect(parseDatabaseUrl('sqlite:data/x.db', '/srv/app')).toEqual({ dialect: 'sqlite', filename: '/srv/app/data/x.db' });
  });

  it('keeps absolute sqlite paths, also in URL form', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/np.db', '/srv')).toEqual({ dialect: 'sqlite', filename: '/var/lib/np.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/np.db', '/srv')).toEqual({ dialect: 'sqlite', filename: '/var/lib/np.db' });
  });

  it('allows an in-memory sqlite database', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', filename: ':memory:' });
  });

  it('accepts both postgres schemes', () => {
    for (const url of ['postgres://u:p@db:5432/np', 'postgresql://u@127.0.0.1/np?sslmode=disable']) {
      expect(parseDatabaseUrl(url)).toEqual({ dialect: 'postgres', connectionString: url });
    }
  });

  it('rejects other schemes with a clear error that does not echo the URL', () => {
    expect(() => parseDatabaseUrl('mysql://root:hunter2@db/np')).toThrow(/Unsupported database URL \(scheme "mysql:"\)/);
    expect(() => parseDatabaseUrl('mysql://root:hunter2@db/np')).not.toThrow(/hunter2/);
    expect(() => parseDatabaseUrl('./navplane.db')).toThrow(/no scheme/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/needs a file path/);
    expect(() => parseDatabaseUrl('postgres:db')).toThrow(/needs a host/);
    expect(() => parseDatabaseUrl('')).toThrow(/Unsupported database URL/);
  });
});
