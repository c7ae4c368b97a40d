import type { Runtime, ServerSpec } from '@navplane/runtime';
import { createApp } from './app';

/** Wires the admin API app from a process runtime and returns it as a server to start. */
export function createAdminServer(runtime: Runtime): ServerSpec {
  const app = createApp({
    logger: runtime.logger,
    readiness: runtime.readiness,
    corsOrigins: runtime.config.adminCorsOrigins,
    trustProxy: runtime.config.trustProxy,
  });
  return { name: 'admin', app, port: runtime.config.adminPort };
}
