import { scopeKey, type LimitDocument, type LimitEntry } from '@navplane/limits';
import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { rotateWebhookSecretCommand } from './limits-webhook-secret.command';
import { readDocumentFile } from '../document-input';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';

const WHAT = 'limits document';

/** `$50/month`. */
function budgetOf(entry: LimitEntry): string | undefined {
  return entry.budget === undefined ? undefined : `$${entry.budget.usd}/${entry.budget.period}`;
}

/** `50%,80%,100% → https://hooks.example.com` (the webhook by origin only: its path may carry a token). */
function alertsOf(entry: LimitEntry): string | undefined {
  if (entry.alerts === undefined) return undefined;
  const thresholds = entry.alerts.thresholds.map((threshold) => `${Math.round(threshold * 1000) / 10}%`).join(',');
  return `${thresholds} → ${new URL(entry.alerts.webhookUrl).origin}`;
}

function printTable(orgId: string, document: LimitDocument): void {
  if (document.limits.length === 0) {
    process.stdout.write(`${orgId} has no limits\n`);
    return;
  }
  const rows = document.limits.map((entry) => ({
    scope: scopeKey(entry.scope),
    rpm: entry.rpm,
    tpm: entry.tpm,
    concurrency: entry.concurrency,
    budget: budgetOf(entry),
    alerts: alertsOf(entry),
  }));
  process.stdout.write(`${renderTable(['scope', 'rpm', 'tpm', 'concurrency', 'budget', 'alerts'], rows)}\n`);
}

/** The org, given as the argument (`limits show org_…`) or, as `route` takes it, as `--org`. */
function orgOf(argument: string | undefined, option: string | undefined, usage: string): string {
  if (argument !== undefined && option !== undefined && argument !== option) {
    throw new CliError(`two orgs given (${argument} and --org ${option}): give one`, 2);
  }
  const orgId = argument ?? option;
  if (orgId === undefined) throw new CliError(`which org? ${usage}`, 2);
  return orgId;
}

/**
 * `navplane limits show|set`: the org's limits document (docs/limits.md), offline from the database like the other
 * commands, validated, audited and announced exactly as the admin API's `PUT /admin/orgs/:orgId/limits`.
 */
export function limitsCommand(): Command {
  const limits = new Command('limits').description('the org’s rate limits, budgets and spend alerts per org, workspace or key');
  limits
    .command('show')
    .description('the org’s limits document as stored (--format json prints the document `limits set` takes)')
    .argument('[orgId]', 'the org')
    .option('--org <orgId>', 'the org (instead of the argument)')
    .addOption(formatOption())
    .action(async (argument: string | undefined, options: { org?: string; format: OutputFormat }) => {
      const orgId = orgOf(argument, options.org, 'navplane limits show <orgId>');
      const document = await withOperations(async (ops) => unwrap(await ops.limits.get(orgId), orgId));
      if (options.format === 'json') printJson({ orgId, ...document });
      else printTable(orgId, document);
    });
  limits
    .command('set')
    .description('replace the org’s whole limits document with a JSON document (validated whole); gateways enforce it within a second')
    .argument('[orgId]', 'the org')
    .option('--org <orgId>', 'the org (instead of the argument)')
    .requiredOption('--file <path>', 'the JSON document, or - to read it from stdin')
    .addOption(formatOption())
    .action(async (argument: string | undefined, options: { org?: string; file: string; format: OutputFormat }) => {
      const orgId = orgOf(argument, options.org, 'navplane limits set <orgId> --file <path>');
      const raw = await readDocumentFile(options.file, orgId, WHAT);
      const stored = await withOperations(async (ops) => unwrap(await ops.limits.put(orgId, raw, CLI_ACTOR), orgId));
      if (options.format === 'json') printJson({ orgId, ...stored });
      else {
        const scopes = stored.limits.map((entry) => scopeKey(entry.scope)).join(', ');
        const count = `${stored.limits.length} limit${stored.limits.length === 1 ? '' : 's'}`;
        process.stdout.write(`stored ${count} for ${orgId}${scopes === '' ? '' : `: ${scopes}`}\n`);
      }
    });
  limits.addCommand(rotateWebhookSecretCommand());
  return limits;
}
