import { isStorageOutage, isStorageUnavailable, storageUnavailable } from './storage-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStorageOutage', () => {
  it.each([
    ['SQLite locked past busy_timeout', withCode('SQLITE_BUSY')],
    ['SQLite busy snapshot', withCode('SQLITE_BUSY_SNAPSHOT')],
    ['SQLite file unreadable', withCode('SQLITE_CANTOPEN')],
    ['SQLite disk I/O error', withCode('SQLITE_IOERR_WRITE')],
    ['SQLite disk full', withCode('SQLITE_FULL')],
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['Postgres shut down / pg_terminate_backend', withCode('57P01')],
    ['Postgres starting up', withCode('57P03')],
    ['Postgres too many connections', withCode('53300')],
    ['Postgres connection failure', withCode('08006')],
    ['socket closed mid-query', new Error('Connection terminated unexpectedly')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
  ])('is an outage: %s', (_name, error) => {
    expect(isStorageOutage(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('42601')],
    ['a unique violation', withCode('23505')],
    ['a SQLite constraint', withCode('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['no such table', new Error('no such table: x')],
    ['not an error', 'text'],
  ])('is not an outage: %s', (_name, error) => {
    expect(isStorageOutage(error)).toBe(false);
  });

  it('counts any failure to get a connection as an outage', () => {
    expect(isStorageOutage(withCode('28P01', 'password authentication failed'), true)).toBe(true);
  });
});

describe('storageUnavailable', () => {
  it('is a retryable storage_unavailable with a retry delay, recognised also as a plain { code } across threads', () => {
    const error = storageUnavailable(withCode('ECONNREFUSED'));
    expect([error.code, error.retryable, error.details]).toEqual(['storage_unavailable', true, { retryAfterSeconds: 5 }]);
    expect(isStorageUnavailable(error)).toBe(true);
    expect(isStorageUnavailable({ name: 'AppError', code: 'storage_unavailable', message: 'm' })).toBe(true);
    expect(isStorageUnavailable(withCode('ECONNREFUSED'))).toBe(false);
  });
});
