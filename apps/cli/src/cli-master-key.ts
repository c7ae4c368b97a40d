import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NavPlaneConfig } from '@navplane/config';
import { err, ok, type Result } from '@navplane/core';
import type { MasterKeySource } from '@navplane/runtime';
import { createKeyring, createVault, type Vault } from '@navplane/vault';
import { CliError } from './output';
import type { Store } from './store';

/** The master key as the CLI found it: from the environment or the existing key file (never generated). */
export interface CliMasterKey {
  readonly key: Buffer;
  readonly source: Exclude<MasterKeySource, 'generated'>;
  readonly path?: string;
}

/**
 * Finds the master key the way `serve` does (NAVPLANE_MASTER_KEY, else ./data/master.key outside
 * production) but never creates the file: a key invented by the CLI would seal secrets no gateway can open.
 */
export async function findMasterKey(config: NavPlaneConfig): Promise<Result<CliMasterKey, string>> {
  if (config.masterKey !== undefined) return ok({ key: config.masterKey, source: 'env' });
  if (config.nodeEnv === 'production') {
    return err('NAVPLANE_MASTER_KEY is required when NODE_ENV=production');
  }
  // The runtime (Express, winston, prom-client) is loaded only on this path, to keep CLI start-up fast.
  const { DEFAULT_MASTER_KEY_FILE, resolveMasterKey } = await import('@navplane/runtime');
  const path = resolve(DEFAULT_MASTER_KEY_FILE);
  if (!existsSync(path)) {
    return err(`NAVPLANE_MASTER_KEY is not set and ${path} does not exist: set NAVPLANE_MASTER_KEY to the key your gateways use`);
  }
  const loaded = await resolveMasterKey({ production: false, filePath: path });
  if (!loaded.ok) return err(loaded.error);
  return ok({ key: loaded.value.key, source: 'file', path });
}

/**
 * The vault over the store with the keyring {current: the master key, previous: NAVPLANE_MASTER_KEY_PREVIOUS};
 * it publishes `provider_key.changed` on the store's change feed. Fails as a CliError when no key is found
 * or the keys are misconfigured.
 */
export async function openVault(store: Store): Promise<Vault> {
  const masterKey = await findMasterKey(store.config);
  if (!masterKey.ok) throw new CliError(masterKey.error);
  let keyring;
  try {
    keyring = createKeyring({ current: masterKey.value.key, previous: [...store.config.masterKeyPrevious] });
  } catch (error) {
    // The keyring's messages name the setting, never key material.
    throw new CliError(error instanceof Error ? error.message : 'invalid master key configuration');
  }
  return createVault({ keyring, providerKeys: store.repos.providerKeys, changeFeed: store.changeFeed(), cacheSize: 0 });
}
