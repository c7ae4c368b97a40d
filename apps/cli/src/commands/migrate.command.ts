import { getMigrationStatus, migrateToLatest, openDatabase } from '@navplane/storage';
import { Command, Option } from 'commander';
import { describeError } from '../describe-error';
import { loadConfigOrFail } from '../load-config';
import { CliError, printJson, type OutputFormat } from '../output';

/** `navplane migrate [--status] [--format json]`: apply pending migrations (safe to run concurrently). */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply pending database migrations (or show them with --status)')
    .option('--status', 'only report applied and pending migrations')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options: { status?: boolean; format: OutputFormat }) => {
      const config = loadConfigOrFail();
      let database;
      try {
        database = await openDatabase({ url: config.databaseUrl, poolSize: 2 });
      } catch (error) {
        throw new CliError(`cannot open the database: ${describeError(error)}`);
      }
      try {
        let applied: string[];
        let status: Awaited<ReturnType<typeof getMigrationStatus>>;
        try {
          applied = options.status ? [] : (await migrateToLatest(database)).applied;
          status = await getMigrationStatus(database);
        } catch (error) {
          throw new CliError(`migration failed: ${describeError(error)}`);
        }
        if (options.format === 'json') {
          printJson({
            dialect: database.dialect,
            appliedNow: applied,
            applied: status.applied,
            pending: status.pending,
            current: status.current,
          });
        } else if (options.status) {
          process.stdout.write(`${status.applied.length} applied, ${status.pending.length} pending\n`);
          for (const name of status.pending) process.stdout.write(`pending  ${name}\n`);
        } else if (applied.length === 0) {
          process.stdout.write('database is up to date\n');
        } else {
          for (const name of applied) process.stdout.write(`applied  ${name}\n`);
        }
      } finally {
        await database.close();
      }
    });
}
