import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseMasterKey } from '@navplane/config';
import { err, ok, type Result } from '@navplane/core';

/** Where the master key came from. */
export type MasterKeySource = 'env' | 'file' | 'generated';

/** The vault's key-encryption key, loaded once at start-up. */
export interface LoadedMasterKey {
  /** 32 bytes. Never logged. */
  readonly key: Buffer;
  readonly source: MasterKeySource;
  /** The file it was read from or written to, when not from the environment. */
  readonly path?: string;
}

/** Options for resolving the master key. */
export interface ResolveMasterKeyOptions {
  /** The decoded 32 bytes of `NAVPLANE_MASTER_KEY`, when set (config validated them). */
  configured?: Buffer;
  /** True under NODE_ENV=production: never generate a key then. */
  production: boolean;
  /** File used when no key is configured (default `./data/master.key`). */
  filePath?: string;
}

/** The default generated-key location, relative to the working directory. */
export const DEFAULT_MASTER_KEY_FILE = './data/master.key';

/**
 * Resolves the master key per docs/configuration.md: `NAVPLANE_MASTER_KEY` when set; otherwise the key in
 * `./data/master.key`, created once (mode 0600, exclusive create so two processes starting together
 * agree on one key). Refuses under NODE_ENV=production with no configured key.
 */
export async function resolveMasterKey(options: ResolveMasterKeyOptions): Promise<Result<LoadedMasterKey, string>> {
  if (options.configured !== undefined) {
    if (options.configured.length !== 32) return err('NAVPLANE_MASTER_KEY: must be base64 of exactly 32 bytes');
    return ok({ key: options.configured, source: 'env' });
  }
  if (options.production) {
    return err('NAVPLANE_MASTER_KEY: required when NODE_ENV=production (no key file is generated in production)');
  }
  const path = resolve(options.filePath ?? DEFAULT_MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing !== undefined) return existing;

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    const created = await readKeyFile(path);
    if (created === undefined) return err(`${path}: could not read the generated master key`);
    return created.ok ? ok({ ...created.value, source: 'generated' }) : created;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return (await readKeyFile(path)) ?? err(`${path}: master key file vanished`);
    }
    return err(`${path}: cannot create the master key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readKeyFile(path: string): Promise<Result<LoadedMasterKey, string> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return err(`${path}: cannot read the master key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = parseMasterKey(text.trim());
  if (!key.ok) return err(`${path}: must hold base64 of exactly 32 bytes`);
  return ok({ key: key.value, source: 'file', path });
}
