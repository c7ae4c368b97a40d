import { createAdminServer } from '@navplane/admin-api';
import { createGatewayServer } from '@navplane/gateway';
import { runMain, type ServerSpec, type Runtime } from '@navplane/runtime';
import { Command, Option } from 'commander';

/** `navplane serve [--only gateway|admin]`: gateway and admin API in one process by default. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the gateway and the admin API (one process; --only to split them)')
    .addOption(new Option('--only <app>', 'run only one app').choices(['gateway', 'admin']))
    .action(async (options: { only?: 'gateway' | 'admin' }) => {
      await runMain((runtime: Runtime) => {
        const servers: ServerSpec[] = [];
        if (options.only !== 'admin') servers.push(createGatewayServer(runtime));
        if (options.only !== 'gateway') servers.push(createAdminServer(runtime));
        return servers;
      });
    });
}
