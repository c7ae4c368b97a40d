import { describeConfig, formatConfigProblems, loadConfigFromProcess } from '@navplane/config';
import { Command, Option } from 'commander';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';

/** `navplane config validate [--format json]`: the start-up validation, offline; exit 1 on problems. */
export function configCommand(): Command {
  const config = new Command('config').description('inspect the configuration');
  config
    .command('validate')
    .description('validate the configuration (environment and NAVPLANE_CONFIG file) without starting anything')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: { format: OutputFormat }) => {
      const loaded = loadConfigFromProcess();
      if (options.format === 'json') {
        if (loaded.ok) {
          printJson({ valid: true, problems: [], settings: describeConfig(loaded.value) });
          return;
        }
        printJson({ valid: false, problems: loaded.error });
        throw new CliError(formatConfigProblems(loaded.error).join('\n'));
      }
      if (!loaded.ok) throw new CliError(formatConfigProblems(loaded.error).join('\n'));
      const settings = describeConfig(loaded.value);
      process.stdout.write('configuration is valid\n\n');
      process.stdout.write(`${renderTable(['variable', 'value', 'source'], settings)}\n`);
    });
  return config;
}
