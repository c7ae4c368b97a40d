import type { Route, RouteDocument } from '@navplane/operations';
import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { readDocumentFile } from '../document-input';
import { formatOption } from '../format-option';
import { printJson, renderTable, type OutputFormat } from '../output';

const WHAT = 'routing table';

/** One line per route: `openai/gpt-4.1 [default], azure-openai/gpt-4.1 [eu] w=2`. */
function targetsOf(route: Route): string {
  return route.targets
    .map((target) => `${target.provider}/${target.model} [${target.key}]${target.weight === undefined ? '' : ` w=${target.weight}`}`)
    .join(', ');
}

function retryOf(route: Route): string {
  if (route.retry === undefined) return '-';
  const attempts = route.retry.attempts === undefined ? '' : `${route.retry.attempts} attempts`;
  const on = route.retry.on === undefined ? '' : `on ${route.retry.on.join(',')}`;
  return [attempts, on].filter((part) => part !== '').join(' ') || '-';
}

function printTable(orgId: string, document: RouteDocument): void {
  if (document.routes.length === 0) {
    process.stdout.write(`${orgId} has no routes\n`);
    return;
  }
  const rows = document.routes.map((route) => ({
    model: route.model,
    strategy: route.strategy,
    targets: targetsOf(route),
    retry: retryOf(route),
  }));
  process.stdout.write(`${renderTable(['model', 'strategy', 'targets', 'retry'], rows)}\n`);
}

/**
 * `navplane route show|set`: the org's routing table (docs/routing.md), offline from the database like the other
 * commands, validated, audited and announced exactly as the admin API's `PUT /admin/orgs/:orgId/routes`.
 */
export function routeCommand(): Command {
  const route = new Command('route').description(
    'the org’s routing table: model names sent to provider targets, with fallback and retries',
  );
  route
    .command('show')
    .description('the org’s routing table, every default filled in (--format json prints the document `route set` takes)')
    .requiredOption('--org <orgId>', 'the org')
    .addOption(formatOption())
    .action(async (options: { org: string; format: OutputFormat }) => {
      const document = await withOperations(async (ops) => unwrap(await ops.routes.get(options.org), options.org));
      if (options.format === 'json') printJson({ orgId: options.org, ...document });
      else printTable(options.org, document);
    });
  route
    .command('set')
    .description('replace the org’s whole routing table with a JSON document (validated whole); gateways use it within a second')
    .requiredOption('--org <orgId>', 'the org')
    .requiredOption('--file <path>', 'the JSON document, or - to read it from stdin')
    .addOption(formatOption())
    .action(async (options: { org: string; file: string; format: OutputFormat }) => {
      const raw = await readDocumentFile(options.file, options.org, WHAT);
      const stored = await withOperations(async (ops) => unwrap(await ops.routes.put(options.org, raw, CLI_ACTOR), options.org));
      if (options.format === 'json') printJson({ orgId: options.org, ...stored });
      else {
        const names = stored.routes.map((entry) => entry.model).join(', ');
        const count = `${stored.routes.length} route${stored.routes.length === 1 ? '' : 's'}`;
        process.stdout.write(`stored ${count} for ${options.org}${names === '' ? '' : `: ${names}`}\n`);
      }
    });
  return route;
}
