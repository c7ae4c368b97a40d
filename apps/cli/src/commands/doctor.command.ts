import { formatConfigProblems, loadConfigFromProcess } from '@navplane/config';
import { Command } from 'commander';
import { runDoctorChecks, type CheckStatus, type DoctorCheck } from '../doctor-checks';
import { formatOption } from '../format-option';
import { CliError, printJson, type OutputFormat } from '../output';

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/**
 * `navplane doctor [--gateway-url <url>] [--format json]`: configuration, database, migrations, master key,
 * vault, routes, admin auth, NODE_ENV and (when a gateway answers) trace drops, in one pass; exit 1 if any fail.
 */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check configuration, database, migrations, vault, routes and auth posture in one pass')
    .option(
      '--gateway-url <url>',
      'a running gateway to read trace drop counters from (default http://NAVPLANE_HOST:NAVPLANE_GATEWAY_PORT)',
    )
    .addOption(formatOption())
    .action(async (options: { gatewayUrl?: string; format: OutputFormat }) => {
      const loaded = loadConfigFromProcess();
      const checks: DoctorCheck[] = [];
      if (loaded.ok) {
        checks.push({ name: 'config', status: 'ok', message: 'configuration is valid', fix: null });
        checks.push(...(await runDoctorChecks(loaded.value, { gatewayUrl: options.gatewayUrl })));
      } else {
        checks.push({
          name: 'config',
          status: 'fail',
          message: formatConfigProblems(loaded.error).join('; '),
          fix: 'fix the settings named above (`npx navplane config validate` lists them)',
        });
      }
      const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
      const summary = { ok: count('ok'), warn: count('warn'), fail: count('fail'), skip: count('skip') };
      if (options.format === 'json') {
        printJson({ ok: summary.fail === 0, summary, checks });
      } else {
        const width = Math.max(...checks.map((c) => c.name.length));
        // The CLI cannot read a running process's environment: say whose settings these are.
        const header =
          "settings checked: this shell's (its environment and config file), which may differ from a running gateway's; only `traces` asks a gateway";
        const lines = [header, ''];
        lines.push(
          ...checks.flatMap((c) => [
            `${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.message}`,
            ...(c.fix !== null && c.status !== 'ok' ? [`      ${' '.repeat(width)}  → ${c.fix}`] : []),
          ]),
        );
        lines.push('', `${summary.ok} ok, ${summary.warn} warning(s), ${summary.fail} failure(s), ${summary.skip} skipped`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (summary.fail > 0) throw new CliError(`${summary.fail} check(s) failed`);
    });
}
