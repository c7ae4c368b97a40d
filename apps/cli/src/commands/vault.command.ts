import { Command } from 'commander';
import { openVault } from '../cli-master-key';
import { describeError } from '../describe-error';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';
import { withStore } from '../store';

/** `navplane vault rotate-master`: master-key rotation. */
export function vaultCommand(): Command {
  const vault = new Command('vault').description('the provider-key vault');
  vault
    .command('rotate-master')
    .description('re-wrap every stored provider key under NAVPLANE_MASTER_KEY (old keys in NAVPLANE_MASTER_KEY_PREVIOUS); no downtime')
    .addOption(formatOption())
    .action(async (options: { format: OutputFormat }) => {
      const json = options.format === 'json';
      const outcome = await withStore(async (store) => {
        const vault = await openVault(store);
        try {
          const before = await vault.verifyUnlocked();
          if (!before.unlocked) throw new CliError('the current master key does not work: check NAVPLANE_MASTER_KEY');
          // Progress goes to stderr so stdout stays one document under --format json.
          const report = await vault.rewrapAll({
            onProgress: (p) => process.stderr.write(`[${p.done}/${p.total}] ${p.id} ${p.outcome}\n`),
          });
          return { currentKekVersion: before.currentKekVersion, report };
        } catch (error) {
          if (error instanceof CliError) throw error;
          throw new CliError(`re-wrap failed: ${describeError(error)}`);
        } finally {
          vault.close();
        }
      });
      const { report, currentKekVersion } = outcome;
      const total = report.rewrapped + report.skipped + report.failed.length;
      const failed = [...report.failed].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (json) {
        printJson({ currentKekVersion, total, rewrapped: report.rewrapped, skipped: report.skipped, failed });
      } else {
        process.stdout.write(
          `re-wrapped ${report.rewrapped}, already current ${report.skipped}, failed ${failed.length} (of ${total}); current master key version ${currentKekVersion}\n`,
        );
        if (failed.length > 0) process.stdout.write(`${renderTable(['id', 'reason'], failed)}\n`);
      }
      if (failed.length > 0) {
        const hint = failed.some((f) => f.reason === 'unknown_kek_version')
          ? ': put the old master key in NAVPLANE_MASTER_KEY_PREVIOUS and run again'
          : ': run again (the command is idempotent)';
        throw new CliError(`${failed.length} provider key(s) could not be re-wrapped${hint}`);
      }
    });
  return vault;
}
