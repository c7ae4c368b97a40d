import { lstatSync, mkdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The cache directory of this user: `navplane-compile-cache-<uid>` under the OS temp dir, made 0700 and used only when
 * it is a directory of this user's that no one else can write. Node's default (`node-compile-cache` under the temp
 * dir) is shared: on a machine with other users, one of them could create it first and plant compiled code that the
 * CLI (and `serve`, with the master key) would then run. Undefined: no safe directory, no cache.
 */
function privateDirectory(): string | undefined {
  const uid = process.getuid?.();
  // Windows: the temp dir is the user's own.
  if (uid === undefined) return join(tmpdir(), 'navplane-compile-cache');
  const directory = join(tmpdir(), `navplane-compile-cache-${uid}`);
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  const stats = lstatSync(directory);
  return stats.isDirectory() && stats.uid === uid && (stats.mode & 0o022) === 0 ? directory : undefined;
}

// Imported first by main.ts, before any other module loads. Node keeps the compiled code of the CLI's modules on disk
// (NODE_COMPILE_CACHE when set, else this user's own directory above; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so
// every command after the first starts about a third faster: the CLI loads the whole stack (storage, vault, the
// gateway) even for a one-line answer. It never throws: without a safe, writable directory the CLI starts as before.
try {
  if (process.env['NODE_COMPILE_CACHE'] !== undefined && process.env['NODE_COMPILE_CACHE'] !== '') enableCompileCache();
  else {
    const directory = privateDirectory();
    if (directory !== undefined) enableCompileCache(directory);
  }
} catch {
  // no cache: the CLI starts as before
}
