import { providerRegistrySettings } from '@navplane/config';
import type { AppError, Result } from '@navplane/core';
import { createEgressGuard, parseEgressAllowlist, type EgressGuard } from '@navplane/egress';
import { createOperations, type AuditActor, type Operations } from '@navplane/operations';
import { createProviderRegistry, type ProviderRegistry } from '@navplane/providers';
import type { Vault } from '@navplane/vault';
import { openVault } from './cli-master-key';
import { describeError } from './describe-error';
import { CliError } from './output';
import { withStore, type Store } from './store';

/** Who the audit log says performed a CLI mutation. */
export const CLI_ACTOR: AuditActor = Object.freeze({ type: 'cli', id: null });

// Commands that never touch provider keys must work without the master key.
const NO_VAULT: Pick<
  Vault,
  'storeProviderKey' | 'deleteProviderKey' | 'deleteProviderKeys' | 'rotateOrgSecret' | 'getOrCreateOrgSecret' | 'getProviderKey'
> = {
  storeProviderKey: () => Promise.reject(new CliError('internal: this command has no vault')),
  deleteProviderKey: () => Promise.reject(new CliError('internal: this command has no vault')),
  deleteProviderKeys: () => Promise.reject(new CliError('internal: this command has no vault')),
  rotateOrgSecret: () => Promise.reject(new CliError('internal: this command has no vault')),
  getOrCreateOrgSecret: () => Promise.reject(new CliError('internal: this command has no vault')),
  getProviderKey: () => Promise.reject(new CliError('internal: this command has no vault')),
};

/** The egress rules of NAVPLANE_UPSTREAM_ALLOWLIST (validated with the rest of the configuration). */
function egressGuardOf(allowlist: readonly string[]): EgressGuard {
  const parsed = parseEgressAllowlist(allowlist);
  if (!parsed.ok) throw new CliError(`NAVPLANE_UPSTREAM_ALLOWLIST: ${parsed.error}`);
  return createEgressGuard({ allowlist: parsed.value });
}

/**
 * Runs `work` with the shared operations (@navplane/operations) over the configured database: they validate,
 * write with the audit record and publish the change event, so running gateways evict their caches. The change
 * feed, the vault (only with `vault: true`, which needs the master key) and the database are closed afterwards.
 */
export async function withOperations<T>(
  work: (operations: Operations, store: Store) => Promise<T>,
  options: { vault?: boolean } = {},
): Promise<T> {
  return withStore(async (store) => {
    const vault = options.vault ? await openVault(store) : undefined;
    // Built on first use (routing tables are checked against its API formats), so other commands never need it.
    let registry: ProviderRegistry | undefined;
    const operations = createOperations({
      repos: store.repos,
      vault: vault ?? NO_VAULT,
      changeFeed: store.changeFeed(),
      operatorProviderIds: store.config.providers.map((provider) => provider.id),
      // A tenant base URL is checked as the admin API checks it (NAVPLANE_UPSTREAM_ALLOWLIST).
      egress: egressGuardOf(store.config.upstreamAllowlist),
      providerRegistry: { adapter: (id) => (registry ??= createProviderRegistry(providerRegistrySettings(store.config))).adapter(id) },
      onError: (error) =>
        process.stderr.write(`navplane: warning: saved, but running gateways could not be told: ${describeError(error)}\n`),
    });
    try {
      return await work(operations, store);
    } finally {
      await operations.close().catch(() => undefined);
      vault?.close();
    }
  });
}

/**
 * The value of a successful operation, or a CliError: `invalid_request` exits 2 (a bad argument), everything
 * else 1. `context` prefixes the message (e.g. the org id).
 */
export function unwrap<T>(result: Result<T, AppError>, context?: string): T {
  if (result.ok) return result.value;
  const error = result.error;
  const prefix = context === undefined ? '' : `${context}: `;
  const message = `${prefix}${error.message}${error.retryable ? ' (retryable)' : ''}`;
  throw new CliError(message, error.code === 'invalid_request' ? 2 : 1);
}

/** The org of a key, from `--org` or else looked up by the key id; exit 1 when there is no such key. */
export async function orgOfKey(store: Store, keyId: string, org: string | undefined): Promise<string> {
  if (org !== undefined) return org;
  const key = await store.repos.gatewayKeys.findById(keyId);
  if (key === undefined) throw new CliError(`no key ${keyId}`);
  return key.orgId;
}
