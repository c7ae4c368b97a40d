import { Command } from 'commander';
import { configCommand } from './commands/config-validate.command';
import { migrateCommand } from './commands/migrate.command';
import { serveCommand } from './commands/serve.command';

/** The `navplane` command tree. */
export function createProgram(): Command {
  return new Command('navplane')
    .description('NavPlane: self-hosted AI gateway')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(configCommand());
}
