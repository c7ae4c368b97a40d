import { SUPPORTED_PROVIDERS, type ProviderKeyInfo } from '@navplane/operations';
import { Command, Option } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';
import { cleanSecret, readSecretFile, readStdin } from '../read-secret';

/** Why a key on the command line is refused. */
export const ARGV_KEY_REFUSAL =
  'refusing to take a provider key from the command line (shell history, process list): pipe it on stdin or use --from-file <path>';

const WHAT = 'provider key';

function providerArgument(): [string, string] {
  return ['<provider>', SUPPORTED_PROVIDERS.join(' | ')];
}

interface SetOptions {
  org: string;
  name?: string;
  baseUrl?: string;
  fromFile?: string;
  key?: string;
  apiKey?: string;
  value?: string;
  format: OutputFormat;
}

const NAME_HELP = '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** By provider, then name: the listing's stable order (`--format json` included). */
const byProviderThenName = (a: ProviderKeyInfo, b: ProviderKeyInfo): number =>
  a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** " named <name>" for a key not named `default` (the default key reads as before names existed). */
const namedSuffix = (name: string): string => (name === 'default' ? '' : ` named ${name}`);

/**
 * `navplane provider-key set|list|delete`: an org's stored provider keys, several named keys per provider (`--name`,
 * default `default`). `set` reads the key from stdin or `--from-file`, never from argv; listings show the last 4
 * characters only.
 */
export function providerKeyCommand(): Command {
  const providerKey = new Command('provider-key').description('provider API keys stored (encrypted) for an org');
  providerKey
    .command('set')
    .description('store or replace the org’s key for a provider, read from stdin (or --from-file); the next request uses it')
    .argument(...providerArgument())
    .requiredOption('--org <orgId>', 'the org')
    .option('--name <name>', `the key's name (default "default"; storing under an existing name replaces that key): ${NAME_HELP}`)
    .option('--from-file <path>', 'read the key from this file instead of stdin')
    .option(
      '--base-url <url>',
      'the endpoint the key belongs to, for providers whose upstream is your own (azure-openai: https://<resource>.openai.azure.com); https and public unless NAVPLANE_UPSTREAM_ALLOWLIST names its host',
    )
    // Accepted only to refuse them with a clear message (commander would echo `--key=<value>` back).
    .addOption(new Option('--key <value>').hideHelp())
    .addOption(new Option('--api-key <value>').hideHelp())
    .addOption(new Option('--value <value>').hideHelp())
    .addOption(formatOption())
    .allowExcessArguments(true)
    .action(async (provider: string, options: SetOptions, command: Command) => {
      if (command.args.length > 1 || options.key !== undefined || options.apiKey !== undefined || options.value !== undefined) {
        throw new CliError(ARGV_KEY_REFUSAL, 2);
      }
      const raw = options.fromFile === undefined ? await readStdin(WHAT) : await readSecretFile(options.fromFile, WHAT);
      const secret = cleanSecret(raw, WHAT);
      const stored = await withOperations(
        async (ops) =>
          unwrap(
            await ops.providerKeys.set(options.org, provider, secret, CLI_ACTOR, {
              ...(options.name === undefined ? {} : { name: options.name }),
              ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
            }),
            options.org,
          ),
        { vault: true },
      );
      if (options.format === 'json') printJson({ orgId: options.org, ...stored });
      else
        process.stdout.write(
          `stored ${stored.provider} key${namedSuffix(stored.name)} …${stored.last4} for ${options.org}${stored.baseUrl === undefined ? '' : ` (endpoint ${stored.baseUrl})`}${stored.rotatedAt ? ' (replaced the previous one)' : ''}\n`,
        );
    });
  providerKey
    .command('list')
    .description('the org’s stored provider keys by provider, then name: last 4 characters, times and base URL, never the key')
    .requiredOption('--org <orgId>', 'the org')
    .addOption(formatOption())
    .action(async (options: { org: string; format: OutputFormat }) => {
      const keys = (await withOperations(async (ops) => unwrap(await ops.providerKeys.list(options.org), options.org))).sort(
        byProviderThenName,
      );
      if (options.format === 'json') printJson({ orgId: options.org, providerKeys: keys });
      else process.stdout.write(`${renderTable(['provider', 'name', 'last4', 'createdAt', 'rotatedAt', 'baseUrl'], keys)}\n`);
    });
  providerKey
    .command('delete')
    .description(
      'delete every key the org holds for a provider, or with --name only that key: its next request fails with provider_key_missing',
    )
    .argument(...providerArgument())
    .requiredOption('--org <orgId>', 'the org')
    .option('--name <name>', `delete only the key of this name (default: every key of the provider): ${NAME_HELP}`)
    .addOption(formatOption())
    .action(async (provider: string, options: { org: string; name?: string; format: OutputFormat }) => {
      const { name } = options;
      await withOperations(
        async (ops) =>
          unwrap(await ops.providerKeys.delete(options.org, provider, CLI_ACTOR, name === undefined ? {} : { name }), options.org),
        { vault: true },
      );
      if (options.format === 'json') printJson({ orgId: options.org, provider, ...(name === undefined ? {} : { name }), deleted: true });
      else
        process.stdout.write(
          name === undefined
            ? `deleted every ${provider} key of ${options.org}\n`
            : `deleted the ${provider} key named ${name} of ${options.org}\n`,
        );
    });
  return providerKey;
}
