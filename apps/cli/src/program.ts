import { Command, CommanderError } from 'commander';
import { adminTokenCommand } from './commands/admin-token.command';
import { configCommand } from './commands/config-validate.command';
import { debugCommand } from './commands/debug.command';
import { doctorCommand } from './commands/doctor.command';
import { keyCommand } from './commands/key.command';
import { limitsCommand } from './commands/limits.command';
import { migrateCommand } from './commands/migrate.command';
import { orgCommand } from './commands/org.command';
import { providerKeyCommand } from './commands/provider-key.command';
import { reportCommand } from './commands/report.command';
import { routeCommand } from './commands/route.command';
import { serveCommand } from './commands/serve.command';
import { shellInitCommand } from './commands/shell-init.command';
import { traceCommand } from './commands/trace.command';
import { vaultCommand } from './commands/vault.command';
import { wrapCommand } from './commands/wrap.command';
import { CliError } from './output';
import { CLI_VERSION } from './version';

/** Exit code of a usage error (unknown command or option, bad option value, missing argument). */
export const USAGE_EXIT_CODE = 2;

/** The `navplane` command tree. */
export function createProgram(): Command {
  const program = new Command('navplane')
    .description('NavPlane: self-hosted AI gateway')
    .version(CLI_VERSION)
    // Lets `wrap` pass every option after its command through untouched.
    .enablePositionalOptions()
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(configCommand())
    .addCommand(doctorCommand())
    .addCommand(orgCommand())
    .addCommand(keyCommand())
    .addCommand(providerKeyCommand())
    .addCommand(routeCommand())
    .addCommand(limitsCommand())
    .addCommand(adminTokenCommand())
    .addCommand(vaultCommand())
    .addCommand(reportCommand())
    .addCommand(traceCommand())
    .addCommand(debugCommand())
    .addCommand(shellInitCommand())
    .addCommand(wrapCommand());
  applyErrorHandling(program);
  return program;
}

/**
 * Commander settings are not inherited through addCommand, so they are applied to every command: usage
 * errors print one `navplane: …` line and exit 2 (help and --version exit 0) instead of calling process.exit.
 */
function applyErrorHandling(command: Command): void {
  command
    .configureOutput({
      outputError: (message, write) => write(`navplane: ${redactOptionValues(message.replace(/^error: /, '').trimEnd())} (see --help)\n`),
    })
    .exitOverride((error: CommanderError) => {
      throw new CliError('', error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
    });
  for (const sub of command.commands) applyErrorHandling(sub);
}

// `--unknown=value` is echoed by commander's "unknown option" message; the value could be a secret.
function redactOptionValues(message: string): string {
  return message.replace(/'(--?[^'=\s]+)=[^']*'/g, "'$1=…'");
}
