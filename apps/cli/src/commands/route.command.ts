import { readFile, stat } from 'node:fs/promises';
import type { Route, RouteDocument } from '@navplane/operations';
import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { describeError } from '../describe-error';
import { formatOption } from '../format-option';
import { CliError, JSON_SCHEMA_VERSION, printJson, renderTable, type OutputFormat } from '../output';
import { readStdin } from '../read-secret';

/** Largest routing-table file read (a full table of 200 routes of 10 targets is far smaller). */
export const MAX_ROUTE_FILE_BYTES = 1_048_576;

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

/** The text of `--file` (`-`: stdin), bounded. */
async function readTableText(file: string): Promise<string> {
  if (file === '-') {
    const text = await readStdin(WHAT);
    if (Buffer.byteLength(text) > MAX_ROUTE_FILE_BYTES) throw new CliError(`the ${WHAT} on stdin is over ${MAX_ROUTE_FILE_BYTES} bytes`, 2);
    return text;
  }
  try {
    if ((await stat(file)).size > MAX_ROUTE_FILE_BYTES) throw new CliError(`${file} is over ${MAX_ROUTE_FILE_BYTES} bytes`, 2);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the ${WHAT} from ${file}: ${describeError(error)}`);
  }
}

/**
 * The document in `text`: JSON, as `PUT /admin/orgs/:orgId/routes` takes it. What `route show --format json` prints is
 * accepted too (its `schemaVersion` and `orgId` are dropped; an `orgId` of another org is refused).
 */
export function parseTableText(text: string, source: string, orgId: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not JSON: ${describeError(error)}`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const shownOrg = 'orgId' in parsed ? parsed.orgId : undefined;
  const schemaVersion = 'schemaVersion' in parsed ? parsed.schemaVersion : undefined;
  const document = Object.fromEntries(Object.entries(parsed).filter(([name]) => name !== 'orgId' && name !== 'schemaVersion'));
  if (shownOrg !== undefined && shownOrg !== orgId) {
    throw new CliError(`${source} is the routing table of ${JSON.stringify(shownOrg)}, not of ${orgId}: remove its "orgId" to use it`, 2);
  }
  if (schemaVersion !== undefined && schemaVersion !== JSON_SCHEMA_VERSION) {
    throw new CliError(`${source} has schemaVersion ${JSON.stringify(schemaVersion)}; this CLI reads ${JSON_SCHEMA_VERSION}`, 2);
  }
  return document;
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
      const source = options.file === '-' ? 'stdin' : options.file;
      const raw = parseTableText(await readTableText(options.file), source, options.org);
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
