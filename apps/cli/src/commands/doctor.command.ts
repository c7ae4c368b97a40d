import { formatConfigProblems, loadConfigFromProcess } from '@navplane/config';
import { Command } from 'commander';
import type { DiagnosticsReport } from '@navplane/runtime';
import { runDoctorChecks, type CheckStatus, type DoctorCheck } from '../doctor-checks';
import { formatDiagnostics, readDiagnostics } from '../doctor-diagnostics';
import { formatOption } from '../format-option';
import { CliError, printJson, type OutputFormat } from '../output';
import { cleanSecret, readStdin } from '../read-secret';

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

interface DoctorOptions {
  gatewayUrl?: string;
  adminUrl?: string;
  adminTokenStdin?: boolean;
  format: OutputFormat;
}

/**
 * `navplane doctor [--gateway-url <url>] [--admin-url <url> [--admin-token-stdin]] [--format json]`: configuration,
 * database, migrations, master key, vault, routes, admin auth, NODE_ENV and (when a gateway answers) trace drops, in
 * one pass; with `--admin-url`, also a running process's diagnostics report (`GET /admin/diagnostics`, the same field
 * names); exit 1 if any check fails.
 */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check configuration, database, migrations, vault, routes, where limits are counted (Redis) and auth posture in one pass')
    .option(
      '--gateway-url <url>',
      'a running gateway to read trace drop counters from (default http://NAVPLANE_HOST:NAVPLANE_GATEWAY_PORT)',
    )
    .option(
      '--admin-url <url>',
      'a running admin API to read its process diagnostics from (GET /admin/diagnostics; token: NAVPLANE_ADMIN_TOKEN or --admin-token-stdin)',
    )
    .option('--admin-token-stdin', 'read the platform-admin token for --admin-url from stdin')
    .addOption(formatOption())
    .action(async (options: DoctorOptions) => {
      if (options.adminTokenStdin === true && options.adminUrl === undefined) {
        throw new CliError('--admin-token-stdin needs --admin-url');
      }
      // Read before anything else runs, so a bad token fails at once with one line.
      const stdinToken = options.adminTokenStdin === true ? cleanSecret(await readStdin('admin token'), 'admin token') : undefined;
      const loaded = loadConfigFromProcess();
      const checks: DoctorCheck[] = [];
      let diagnostics: DiagnosticsReport | null = null;
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
      if (options.adminUrl !== undefined) {
        // The process the admin API runs in reports its own figures (its gateway's too when it runs one).
        const read = await readDiagnostics(options.adminUrl, stdinToken ?? (loaded.ok ? loaded.value.adminToken : undefined));
        checks.push(read.check);
        diagnostics = read.report;
      }
      const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
      const summary = { ok: count('ok'), warn: count('warn'), fail: count('fail'), skip: count('skip') };
      if (options.format === 'json') {
        printJson({ ok: summary.fail === 0, summary, checks, ...(options.adminUrl === undefined ? {} : { diagnostics }) });
      } else {
        const width = Math.max(...checks.map((c) => c.name.length));
        // The CLI cannot read a running process's environment: say whose settings these are.
        const header =
          "settings checked: this shell's (its environment and config file), which may differ from a running gateway's; only `traces` asks a gateway" +
          (options.adminUrl === undefined ? '' : ', and `diagnostics` the admin API');
        const lines = [header, ''];
        lines.push(
          ...checks.flatMap((c) => [
            `${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.message}`,
            ...(c.fix !== null && c.status !== 'ok' ? [`      ${' '.repeat(width)}  → ${c.fix}`] : []),
          ]),
        );
        if (diagnostics !== null) {
          lines.push('', `diagnostics (${diagnostics.process.scope}):`, ...formatDiagnostics(diagnostics));
        }
        lines.push('', `${summary.ok} ok, ${summary.warn} warning(s), ${summary.fail} failure(s), ${summary.skip} skipped`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (summary.fail > 0) throw new CliError(`${summary.fail} check(s) failed`);
    });
}
