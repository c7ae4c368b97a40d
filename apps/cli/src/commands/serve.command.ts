import type { ServerSpec, Runtime } from '@navplane/runtime';
import { Command, Option } from 'commander';

/** `navplane serve [--only gateway|admin]`: gateway and admin API in one process by default. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the gateway and the admin API (one process; --only to split them)')
    .addOption(new Option('--only <app>', 'run only one app').choices(['gateway', 'admin']))
    .action(async (options: { only?: 'gateway' | 'admin' }) => {
      // Loaded here, not at the top: the other commands start without loading Express and both apps.
      const { runMain } = await import('@navplane/runtime');
      const { createGatewayServer } = await import('@navplane/gateway');
      const { createAdminServer } = await import('@navplane/admin-api');
      await runMain(async (runtime: Runtime) => {
        const servers: ServerSpec[] = [];
        if (options.only !== 'admin') servers.push(await createGatewayServer(runtime));
        if (options.only !== 'gateway') servers.push(await createAdminServer(runtime));
        return servers;
      });
    });
}
