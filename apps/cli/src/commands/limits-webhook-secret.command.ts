import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { formatOption } from '../format-option';
import { printJson, type OutputFormat } from '../output';

/**
 * `navplane limits rotate-webhook-secret <orgId>`: replaces the secret that signs the org's spend alerts
 * (docs/limits.md, "Spend alerts") and prints the new one — the only time it is shown. Needs the master key (the
 * secret is sealed in the vault); audited as the admin API's `POST /admin/orgs/:orgId/limits/webhook-secret`.
 */
export function rotateWebhookSecretCommand(): Command {
  return new Command('rotate-webhook-secret')
    .description('replace the secret that signs the org’s spend alerts and print the new one (shown this once)')
    .argument('<orgId>', 'the org')
    .addOption(formatOption())
    .action(async (orgId: string, options: { format: OutputFormat }) => {
      const { webhookSecret } = await withOperations(
        async (ops) => unwrap(await ops.budgets.rotateWebhookSecret(orgId, CLI_ACTOR), orgId),
        { vault: true },
      );
      if (options.format === 'json') printJson({ orgId, webhookSecret });
      else process.stdout.write(`${webhookSecret}\n`);
    });
}
