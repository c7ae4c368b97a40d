import { formatConfigProblems, loadConfigFromProcess } from '@navplane/config';
import { errorMessage } from '@navplane/core';
import { createRuntime, type Runtime } from './runtime';
import { runServers, type RunningProcess, type ServerSpec } from './run-servers';

/**
 * The body of every NavPlane server entry point (`navplane serve`, each app's `main.js`): validate
 * the configuration (one line per problem on stderr, exit 1), build the runtime, start the servers
 * `build` returns, and shut down gracefully on SIGTERM/SIGINT.
 */
export async function runMain(build: (runtime: Runtime) => ServerSpec[] | Promise<ServerSpec[]>): Promise<RunningProcess> {
  const loaded = loadConfigFromProcess();
  if (!loaded.ok) {
    for (const line of formatConfigProblems(loaded.error)) process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(loaded.value);
    return await runServers(runtime, await build(runtime));
  } catch (error) {
    process.stderr.write(`navplane: ${errorMessage(error)}\n`);
    await runtime?.close().catch(() => undefined);
    process.exit(1);
  }
}
