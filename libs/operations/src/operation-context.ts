import type { AdminTokenService, GatewayKeyService } from '@navplane/auth';
import { AppError, err, type Clock, type Err } from '@navplane/core';
import type { EgressGuard } from '@navplane/egress';
import type { ChangeFeed, ChangeTopic, JsonObject, Repositories } from '@navplane/storage';
import type { Vault } from '@navplane/vault';

/** What every use case is built from (one per createOperations call). */
export interface OperationContext {
  readonly repos: Repositories;
  readonly vault: Pick<
    Vault,
    'storeProviderKey' | 'deleteProviderKey' | 'deleteProviderKeys' | 'rotateOrgSecret' | 'getOrCreateOrgSecret' | 'getProviderKey'
  >;
  readonly changeFeed: Pick<ChangeFeed, 'publish' | 'subscribe'>;
  readonly clock: Clock;
  readonly gatewayKeys: GatewayKeyService;
  readonly adminTokens: AdminTokenService;
  /** The providers an org can store a key for: the registry's ids (built-in, then the config file's `providers`). */
  readonly providerIds: readonly string[];
  /** A change could not be announced after a create (the create still succeeded). */
  readonly onError: (error: Error) => void;
  /** The egress rules a tenant-supplied base URL is checked against when it is stored. */
  readonly egress: EgressGuard;
  /** The API format of a provider (its registry adapter's `apiFormat`), undefined for an unknown id: routes are checked by it. */
  readonly apiFormat: (providerId: string) => string | undefined;
}

/** `invalid_request` naming the offending field in `details.param` (the HTTP envelope's `param`). */
export function invalid(param: string, message: string): Err<AppError> {
  return err(new AppError('invalid_request', message, { details: { param } }));
}

/** `not_found`; also what another org's object looks like (never revealing that it exists). */
export function notFound(message: string): Err<AppError> {
  return err(new AppError('not_found', message));
}

/** Publishes a change after its commit; resolves to the error instead of rejecting. */
export async function announce(context: OperationContext, topic: ChangeTopic, payload: JsonObject): Promise<Error | undefined> {
  try {
    await context.changeFeed.publish(topic, payload);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * For changes other instances must learn (kill switch, policies): the write is committed but some instance may
 * still act on the old state, so the caller is told to retry (the operations are idempotent).
 */
/** `what`: what was committed, as a clause ("The org was disabled", "The org's policies were saved"). */
export function notAnnounced(what: string, cause: Error): Err<AppError> {
  return err(
    new AppError('internal_error', `${what} but not every instance could be told yet; retry`, {
      retryable: true,
      cause,
    }),
  );
}

/** The org exists (an undefined or malformed id is simply not found). */
export async function orgExists(context: OperationContext, orgId: string): Promise<boolean> {
  if (typeof orgId !== 'string' || orgId.length === 0) return false;
  return (await context.repos.orgs.findById(orgId)) !== undefined;
}

/** The `not_found` every org-scoped use case answers for a missing org. */
export const orgNotFound = (): Err<AppError> => notFound('No such org');
