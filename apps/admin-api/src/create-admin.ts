import { createKeyVerifier, createOrgStateCache } from '@navplane/auth';
import { providerRegistrySettings } from '@navplane/config';
import { createOperations } from '@navplane/operations';
import { createProviderRegistry } from '@navplane/providers';
import { createAppAuthThrottle, type Runtime, type ServerSpec } from '@navplane/runtime';
import { createTraceQueries } from '@navplane/trace';
import { createApp, type AdminDeps } from './app';

/**
 * The admin API's collaborators from a process runtime: the operations (bootstrap token from
 * NAVPLANE_ADMIN_TOKEN) and an org key verifier with its kill-switch cache (both change-feed evicted), all closed
 * by `runtime.onShutdown`.
 */
export async function createAdminDeps(runtime: Runtime): Promise<AdminDeps> {
  const { config, logger, repos, changeFeed } = runtime;
  const onError = (error: unknown) => logger.warn('admin API cache error', { err: error });
  const operations = createOperations({
    repos,
    vault: runtime.vault,
    changeFeed,
    bootstrapAdminToken: config.adminToken,
    // Keys can be stored for the config file's operator-defined providers too (docs/configuration.md).
    operatorProviderIds: config.providers.map((provider) => provider.id),
    // A tenant's base URL (Azure OpenAI) is checked against NAVPLANE_UPSTREAM_ALLOWLIST's egress rules when stored.
    egress: runtime.egress,
    // Routing tables are checked against the API formats of the providers in service (built-in and the config file's).
    providerRegistry: createProviderRegistry(providerRegistrySettings(config)),
    onError: (error) => logger.warn('change not announced', { err: error }),
    // Usage answers show every instance's live budget reservations when they are shared through Redis.
    ...(runtime.redis === undefined ? {} : { budgets: { redis: { client: runtime.redis, prefix: config.redisPrefix } } }),
  });
  const orgStates = createOrgStateCache({ repos, changeFeed, onError });
  const verifier = createKeyVerifier({ repos, changeFeed, orgStates, onError });
  runtime.onShutdown(async () => {
    await verifier.close();
    await orgStates.close();
    await operations.close();
  });
  await orgStates.start();
  await verifier.start();
  runtime.diagnostics.addApp('admin');
  return {
    logger,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    operations,
    traceQueries: createTraceQueries({ repos }),
    diagnostics: () => runtime.diagnostics.report(),
    verifyKey: (presented) => verifier.verify(presented),
    authThrottle: createAppAuthThrottle(runtime, 'admin'),
    corsOrigins: config.adminCorsOrigins,
    trustProxy: config.trustProxy,
  };
}

/** Wires the admin API from a process runtime and returns it as a server to start. */
export async function createAdminServer(runtime: Runtime): Promise<ServerSpec> {
  const app = createApp(await createAdminDeps(runtime));
  // Deny by default: until an admin token exists (or an org key has the admin scope) every call is refused. Say so.
  const onListening = () => {
    void runtime.repos.adminTokens.listActive().then(
      (tokens) => {
        if (tokens.length === 0) {
          runtime.logger.warn(
            'no admin token exists yet: the admin API refuses every call until one does (`npx navplane admin-token create --name ops`)',
          );
        }
      },
      () => undefined, // the database is down: /readyz says so
    );
  };
  return { name: 'admin', app, port: runtime.config.adminPort, onListening };
}
