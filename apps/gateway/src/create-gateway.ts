import type { Runtime, ServerSpec } from '@navplane/runtime';
import { createApp } from './app';

/** Wires the gateway app from a process runtime and returns it as a server to start. */
export function createGatewayServer(runtime: Runtime): ServerSpec {
  const app = createApp({
    logger: runtime.logger,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    trustProxy: runtime.config.trustProxy,
  });
  return { name: 'gateway', app, port: runtime.config.gatewayPort };
}
