import { listen, type RunningServer, type UpgradeHandler } from '@navplane/http';
import type { RequestListener } from 'node:http';
import type { Runtime } from './runtime';

/** One HTTP app to serve. */
export interface ServerSpec {
  /** `gateway` or `admin` — used in logs. */
  name: string;
  /** The Express app (or any request listener). */
  app: RequestListener;
  /** Port to bind; 0 = any free port. */
  port: number;
  /** Called once the server listens, with its URL: start-up lines a newcomer needs (SDK base URLs, …). */
  onListening?: (url: string) => void;
  /** WebSocket upgrades (the gateway's WebSocket proxy), drained at shutdown within the grace period. */
  upgrades?: UpgradeHandler;
}

/** The servers of a running process. */
export interface RunningProcess {
  /** Bound servers by name. */
  readonly servers: Record<string, RunningServer>;
  /** Graceful shutdown: drain, stop, flush, close. Idempotent; resolves when done. */
  shutdown(reason: string): Promise<void>;
}

/** Options for runServers. */
export interface RunServersOptions {
  /** Install SIGTERM/SIGINT handlers that shut down and exit 0 (default true). */
  handleSignals?: boolean;
  /** Exit the process after a signal-triggered shutdown (default true). */
  exitOnSignal?: boolean;
}

/**
 * Starts every server on the runtime's host and logs the bound ports. On SIGTERM/SIGINT: `/readyz`
 * turns 503 at once, the servers stop accepting, in-flight requests finish within
 * `NAVPLANE_SHUTDOWN_GRACE_MS`, shutdown hooks run (trace flush), the DB closes, and the process exits 0.
 */
export async function runServers(runtime: Runtime, specs: ServerSpec[], options: RunServersOptions = {}): Promise<RunningProcess> {
  const { config, logger } = runtime;
  const servers: Record<string, RunningServer> = {};
  try {
    for (const spec of specs) {
      const running = await listen(spec.app, {
        host: config.host,
        port: spec.port,
        requestTimeoutMs: config.requestTimeoutMs,
        keepAliveTimeoutMs: config.keepAliveTimeoutMs,
        ...(spec.upgrades === undefined ? {} : { upgrades: spec.upgrades }),
      });
      servers[spec.name] = running;
      logger.info(`${spec.name} listening on ${running.url}`, { server: spec.name, url: running.url, port: running.port });
      spec.onListening?.(running.url);
    }
  } catch (error) {
    await Promise.all(Object.values(servers).map((s) => s.close(0)));
    throw new Error(`cannot listen: ${(error as NodeJS.ErrnoException).code ?? String(error)} on ${config.host}`);
  }

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info('shutting down', { reason, graceMs: config.shutdownGraceMs });
      runtime.readiness.startDraining();
      const results = await Promise.all(
        Object.entries(servers).map(async ([name, server]) => ({ name, ...(await server.close(config.shutdownGraceMs)) })),
      );
      for (const { name, forced } of results) {
        if (forced > 0) logger.warn('requests cut off at the end of the grace period', { server: name, forced });
      }
      await runtime.close();
      logger.info('shutdown complete');
    })();
    return shuttingDown;
  };

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      void shutdown(signal).then(
        () => {
          if (options.exitOnSignal ?? true) process.exit(0);
        },
        (error: unknown) => {
          logger.error('shutdown failed', { err: error });
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { servers, shutdown };
}
