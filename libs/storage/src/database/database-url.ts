import { resolve } from 'node:path';

/** The SQL dialects NavPlane runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** Where a database lives, parsed from `NAVPLANE_DATABASE_URL`. */
export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; /** Absolute file path, or `:memory:`. */ readonly filename: string }
  | { readonly dialect: 'postgres'; /** The URL as given (it may carry a password: never log it). */ readonly connectionString: string };

const SQLITE_PREFIX = 'sqlite:';
const SQLITE_MEMORY = ':memory:';

/**
 * Parses a database URL: `sqlite:<path>` (relative to `cwd`, default `process.cwd()`; `sqlite:///abs` also
 * works), `sqlite::memory:`, `postgres://…` or `postgresql://…`. Throws an Error naming the problem (never
 * echoing the URL, which may hold a password) for anything else: this is a start-up configuration error.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const trimmed = url.trim();
  if (trimmed.startsWith(SQLITE_PREFIX)) {
    let path = trimmed.slice(SQLITE_PREFIX.length);
    if (path === SQLITE_MEMORY) return { dialect: 'sqlite', filename: SQLITE_MEMORY };
    // `sqlite:///var/lib/x.db` is the URL spelling of an absolute path; `sqlite://./x.db` of a relative one.
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') {
      throw new Error('Database URL "sqlite:" needs a file path, e.g. sqlite:./data/navplane.db or sqlite::memory:');
    }
    return { dialect: 'sqlite', filename: resolve(cwd, path) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new Error(`Database URL with scheme "${scheme}:" is not a valid URL (expected postgres://user:pass@host:5432/db)`);
    }
    if (!trimmed.startsWith(`${scheme}://`) || (parsed.hostname === '' && !parsed.searchParams.has('host'))) {
      throw new Error(`Database URL with scheme "${scheme}:" needs a host (expected postgres://user:pass@host:5432/db)`);
    }
    return { dialect: 'postgres', connectionString: trimmed };
  }
  const shown = scheme === undefined ? 'no scheme' : `scheme "${scheme}:"`;
  throw new Error(`Unsupported database URL (${shown}): use sqlite:<path>, sqlite::memory: or postgres://user:pass@host:5432/db`);
}
