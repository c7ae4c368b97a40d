import { randomBytes } from 'node:crypto';
import type { ProviderKeysRepository } from '@navplane/storage';
import { dekAad, type SecretContext } from '../envelope/aad';
import { KEY_BYTES } from '../envelope/aes-gcm';
import { unwrapDek, wrapDek, type Keyring } from '../keyring/keyring';
import type { KekVersionCount, StoredKeysStatus, VaultStatus } from './vault.types';

const PROBE_CONTEXT: SecretContext = {
  orgId: 'navplane-probe',
  provider: 'probe',
  rowId: 'probe',
};

/** True when the current master key wraps a random DEK and unwraps it back to the same bytes. */
function currentKekWorks(keyring: Keyring): boolean {
  const probe = randomBytes(KEY_BYTES);
  try {
    const wrapped = wrapDek(keyring, probe, (kekVersion) => dekAad(PROBE_CONTEXT, kekVersion));
    const unwrapped = unwrapDek(keyring, wrapped.box, wrapped.kekVersion, dekAad(PROBE_CONTEXT, wrapped.kekVersion));
    if (!unwrapped.ok) return false;
    const same = unwrapped.value.equals(probe);
    unwrapped.value.fill(0);
    return same;
  } catch {
    return false;
  } finally {
    probe.fill(0);
  }
}

async function countStoredKeys(
  keyring: Keyring,
  providerKeys: ProviderKeysRepository,
  onError: (error: Error) => void,
): Promise<StoredKeysStatus> {
  let rows: { kekVersion: number }[];
  try {
    rows = await providerKeys.listAllForRewrap();
  } catch (error) {
    onError(error instanceof Error ? error : new Error(String(error)));
    return { ok: false, reason: 'unavailable' };
  }
  const counts = new Map<number, number>();
  for (const row of rows) counts.set(row.kekVersion, (counts.get(row.kekVersion) ?? 0) + 1);
  const byKekVersion: KekVersionCount[] = [...counts]
    .sort(([a], [b]) => a - b)
    .map(([kekVersion, count]) => ({
      kekVersion,
      count,
      inKeyring: keyring.has(kekVersion),
    }));
  const sum = (entries: KekVersionCount[]) => entries.reduce((total, entry) => total + entry.count, 0);
  return {
    ok: true,
    total: rows.length,
    byKekVersion,
    unknownKekVersion: sum(byKekVersion.filter((entry) => !entry.inKeyring)),
    notCurrent: sum(byKekVersion.filter((entry) => entry.kekVersion !== keyring.currentVersion)),
  };
}

/** The vault's readiness: the current master key works and every stored key's master key is held. */
export async function vaultStatus(
  keyring: Keyring,
  providerKeys: ProviderKeysRepository,
  onError: (error: Error) => void,
): Promise<VaultStatus> {
  const unlocked = currentKekWorks(keyring);
  const storedKeys = await countStoredKeys(keyring, providerKeys, onError);
  const problems: string[] = [];
  if (!unlocked) problems.push('the current master key cannot wrap and unwrap a data key');
  if (!storedKeys.ok) problems.push('stored provider keys cannot be read (database unavailable)');
  else if (storedKeys.unknownKekVersion > 0) {
    const versions = storedKeys.byKekVersion.filter((entry) => !entry.inKeyring).map((entry) => entry.kekVersion);
    problems.push(
      `${storedKeys.unknownKekVersion} stored provider key(s) use master key version(s) ${versions.join(', ')} ` +
        'not in the keyring: set NAVPLANE_MASTER_KEY_PREVIOUS to the old key',
    );
  }
  return {
    ready: problems.length === 0,
    unlocked,
    currentKekVersion: keyring.currentVersion,
    keyringVersions: [...keyring.versions],
    storedKeys,
    problems,
  };
}
