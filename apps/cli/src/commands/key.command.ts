import type { IssuedKey, KeyRecord, RotatedKey } from '@navplane/operations';
import { Command, Option } from 'commander';
import { CLI_ACTOR, orgOfKey, unwrap, withOperations } from '../cli-operations';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';

const SHOWN_ONCE = 'store this key now: it is shown only once';
const KEY_COLUMNS = [
  'id',
  'name',
  'displayPrefix',
  'status',
  'scopes',
  'models',
  'workspaceId',
  'createdAt',
  'expiresAt',
  'graceEndsAt',
  'lastUsedAt',
] as const satisfies ReadonlyArray<keyof KeyRecord>;

const byCreation = (a: KeyRecord, b: KeyRecord) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function printIssued(issued: IssuedKey | RotatedKey, format: OutputFormat): void {
  if (format === 'json') {
    // The admin API's shape: the record's fields plus `key` (and `previous` after a rotation).
    printJson({ key: issued.key, ...issued.record, ...('previous' in issued ? { previous: issued.previous } : {}) });
    return;
  }
  const { record } = issued;
  const lines = [
    `key          ${issued.key}`,
    `id           ${record.id}`,
    `org          ${record.orgId}`,
    `name         ${record.name}`,
    `scopes       ${record.scopes.join(',')}`,
    `models       ${record.models === null ? 'any' : record.models.join(',')}`,
    `expires      ${record.expiresAt ?? 'never'}`,
  ];
  if ('previous' in issued) {
    const old = issued.previous;
    lines.push(`previous     ${old.id}: ${old.status}${old.graceEndsAt ? ` until ${old.graceEndsAt}` : ''}`);
  }
  lines.push('', SHOWN_ONCE);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A comma-separated option as a list (blank entries dropped), or undefined when the option was not given. */
function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

// In the table a key without an allowlist reads `any` (JSON keeps `models: null`, the admin API's shape).
const forTable = (record: KeyRecord) => ({ ...record, models: record.models ?? 'any' });

/** `navplane key create|list|rotate|revoke`: an org's NavPlane keys; the key text is printed once, on create/rotate. */
export function keyCommand(): Command {
  const key = new Command('key').description('NavPlane keys (np_…) of an org');
  key
    .command('create')
    .description('issue a NavPlane key (printed once)')
    .requiredOption('--org <orgId>', 'the org')
    .requiredOption('--name <name>', 'a name for people, 1-200 characters')
    .option('--scopes <list>', 'comma-separated: proxy, traces:read, analytics:read, admin (default proxy)')
    .option('--workspace <workspaceId>', 'a workspace of the org')
    .option('--expires-at <time>', 'ISO-8601 time after which the key stops working (default never)')
    .option('--models <list>', 'comma-separated model names the key may request, matched exactly (default any model)')
    .addOption(formatOption())
    .action(
      async (options: {
        org: string;
        name: string;
        scopes?: string;
        workspace?: string;
        expiresAt?: string;
        models?: string;
        format: OutputFormat;
      }) => {
        const issued = await withOperations(async (ops) =>
          unwrap(
            await ops.keys.issue(
              options.org,
              {
                name: options.name,
                scopes: parseList(options.scopes),
                workspaceId: options.workspace ?? null,
                expiresAt: options.expiresAt ?? null,
                // `--models ''` (or only commas) is an empty list, refused: omit the option to allow any model.
                models: parseList(options.models) ?? null,
              },
              CLI_ACTOR,
            ),
            options.org,
          ),
        );
        printIssued(issued, options.format);
      },
    );
  key
    .command('list')
    .description('an org’s keys, revoked ones included, oldest first (created_at, then id); never the key')
    .requiredOption('--org <orgId>', 'the org')
    .addOption(formatOption())
    .action(async (options: { org: string; format: OutputFormat }) => {
      const keys = (await withOperations(async (ops) => unwrap(await ops.keys.list(options.org), options.org))).sort(byCreation);
      if (options.format === 'json') printJson({ orgId: options.org, keys });
      else process.stdout.write(`${renderTable(KEY_COLUMNS, keys.map(forTable))}\n`);
    });
  key
    .command('rotate')
    .description('replace a key by a new one (printed once); the old one keeps working for --grace-seconds')
    .argument('<keyId>')
    .option('--org <orgId>', 'the key’s org (default: looked up from the key)')
    .addOption(new Option('--grace-seconds <n>', 'how long the old key keeps working (0-2592000)').default('0'))
    .addOption(formatOption())
    .action(async (keyId: string, options: { org?: string; graceSeconds: string; format: OutputFormat }) => {
      const graceSeconds = Number(options.graceSeconds);
      if (!/^\d+$/.test(options.graceSeconds) || !Number.isSafeInteger(graceSeconds)) {
        throw new CliError('--grace-seconds must be a whole number of seconds', 2);
      }
      const rotated = await withOperations(async (ops, store) => {
        const orgId = await orgOfKey(store, keyId, options.org);
        return unwrap(await ops.keys.rotate(orgId, keyId, { graceSeconds }, CLI_ACTOR), keyId);
      });
      printIssued(rotated, options.format);
    });
  key
    .command('revoke')
    .description('revoke a key at once, on every gateway')
    .argument('<keyId>')
    .option('--org <orgId>', 'the key’s org (default: looked up from the key)')
    .addOption(formatOption())
    .action(async (keyId: string, options: { org?: string; format: OutputFormat }) => {
      const revoked = await withOperations(async (ops, store) => {
        const orgId = await orgOfKey(store, keyId, options.org);
        return unwrap(await ops.keys.revoke(orgId, keyId, CLI_ACTOR), keyId);
      });
      if (options.format === 'json') printJson({ ...revoked });
      else process.stdout.write(`revoked key ${revoked.id} (${revoked.name})\n`);
    });
  return key;
}
