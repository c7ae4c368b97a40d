import { AppError } from '@navplane/core';
import type { ProviderKeysRepository, ProviderKeyWrapping } from '@navplane/storage';
import { rewrapDek } from '../envelope/envelope';
import type { Keyring } from '../keyring/keyring';
import type { RewrapFailureReason, RewrapOptions, RewrapReport } from './vault.types';

/** What a re-wrap needs from the vault. */
export interface RewrapDeps {
  keyring: Keyring;
  providerKeys: ProviderKeysRepository;
  /** Publishes `provider_key.changed` for the named key; may reject. */
  publishChanged(orgId: string, provider: string, name: string): Promise<void>;
}

// A row replaced this many times in a row while we re-wrap it is reported, not fought over forever.
const MAX_ATTEMPTS = 5;

type RowOutcome = 'rewrapped' | 'skipped' | { failed: RewrapFailureReason };

/**
 * Re-wraps each stored DEK under the current master key. Only the wrapping columns change (compare-and-set on
 * the wrapping that was read), so a gateway holding old and new master keys decrypts every row throughout.
 */
export async function rewrapAll(deps: RewrapDeps, options: RewrapOptions = {}): Promise<RewrapReport> {
  let rows: ProviderKeyWrapping[];
  try {
    rows = await deps.providerKeys.listAllForRewrap();
  } catch (cause) {
    throw new AppError('internal_error', 'Cannot list the stored provider keys to re-wrap', { retryable: true, cause });
  }
  const report: RewrapReport = { rewrapped: 0, skipped: 0, failed: [] };
  let done = 0;
  for (const row of rows) {
    const outcome = await rewrapRow(deps, row);
    if (outcome === 'rewrapped') report.rewrapped += 1;
    else if (outcome === 'skipped') report.skipped += 1;
    else report.failed.push({ id: row.id, reason: outcome.failed });
    done += 1;
    options.onProgress?.({
      done,
      total: rows.length,
      id: row.id,
      outcome: typeof outcome === 'string' ? outcome : 'failed',
    });
  }
  return report;
}

async function rewrapRow(deps: RewrapDeps, listed: ProviderKeyWrapping): Promise<RowOutcome> {
  const { keyring, providerKeys } = deps;
  let row: ProviderKeyWrapping = listed;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // Already current: a second run (or a run resumed after a crash) does nothing to this row.
    if (row.kekVersion === keyring.currentVersion) return 'skipped';
    const next = rewrapDek(keyring, { orgId: row.orgId, provider: row.provider, name: row.name, rowId: row.id }, row);
    if (!next.ok) return { failed: next.error };
    let updated: boolean;
    try {
      updated = await providerKeys.updateWrapping(row.id, next.value, next.value.kekVersion, {
        wrappedDek: row.wrappedDek,
        kekVersion: row.kekVersion,
      });
    } catch {
      return { failed: 'unavailable' };
    }
    if (updated) {
      try {
        await deps.publishChanged(row.orgId, row.provider, row.name);
      } catch {
        // The plaintext did not change, so a cache that misses this event still serves the right key.
      }
      return 'rewrapped';
    }
    // Replaced or deleted since it was read: start again from what is stored now.
    let stored: ProviderKeyWrapping | undefined;
    try {
      stored = await providerKeys.findByOrgAndProvider(row.orgId, row.provider, row.name);
    } catch {
      return { failed: 'unavailable' };
    }
    if (stored === undefined) return 'skipped';
    row = stored;
  }
  return { failed: 'conflict' };
}
