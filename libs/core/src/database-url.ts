import { resolve } from 'node:path';
import { err, ok, type Result } from './result';

/** The SQL dialects NavPlane runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** Where a database lives, parsed from `NAVPLANE_DATABASE_URL`. */
export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; /** Absolute file path, or `:memory:`. */ readonly filename: string }
  | { readonly dialect: 'postgres'; /** The URL as given (it may carry a password: never log it). */ readonly connectionString: string };

const SQLITE_MEMORY = ':memory:';

// What a bad URL is told. None of them quotes the URL: it may carry a password.
/** What a URL of no supported form is told (also a config value that is not a string). */
export const DATABASE_URL_EXPECTED = 'must be sqlite:<path> (e.g. sqlite:./data/navplane.db) or a postgres:// or postgresql:// URL';
const SQLITE_NO_PATH = 'must be sqlite:<path> with a file path (sqlite:./data/navplane.db) or sqlite::memory:';
const SQLITE_HOST =
  'must be sqlite:<path> with a file path: sqlite://<host>/… names no file; write sqlite:./relative/path or sqlite:///absolute/path';
const POSTGRES_INVALID = 'must be a valid postgres:// URL such as postgres://user:password@host:5432/navplane';
const POSTGRES_NO_HOST = 'must be a postgres:// URL with a host, such as postgres://user:password@host:5432/navplane';

/**
 * The one parser of database URLs, used by configuration validation and by `openDatabase`, so a URL that
 * validates always opens. Forms (docs/storage.md): `sqlite:<path>` (relative to `cwd`, default
 * `process.cwd()`), `sqlite:///absolute/path`, `sqlite::memory:`, and `postgres://…` / `postgresql://…` with a
 * host (or a `?host=/socket/dir` query parameter). Schemes are case-insensitive. The error is one phrase
 * (`must be …`) that never echoes the URL, which may hold a password.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): Result<DatabaseLocation, string> {
  const value = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const path = value.slice('sqlite:'.length);
    if (path === SQLITE_MEMORY) return ok({ dialect: 'sqlite', filename: SQLITE_MEMORY });
    if (path === '') return err(SQLITE_NO_PATH);
    if (path.startsWith('//')) {
      // `sqlite:///var/lib/x.db` is the URL spelling of an absolute path; `sqlite://x` would name a host.
      if (!path.startsWith('///')) return err(SQLITE_HOST);
      return ok({ dialect: 'sqlite', filename: resolve(path.slice(2)) });
    }
    return ok({ dialect: 'sqlite', filename: resolve(cwd, path) });
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return err(POSTGRES_INVALID);
    }
    const hasHost = parsed.hostname !== '' || (parsed.searchParams.get('host') ?? '') !== '';
    if (!value.slice(scheme.length + 1).startsWith('//') || !hasHost) return err(POSTGRES_NO_HOST);
    return ok({ dialect: 'postgres', connectionString: value });
  }
  return err(DATABASE_URL_EXPECTED);
}
