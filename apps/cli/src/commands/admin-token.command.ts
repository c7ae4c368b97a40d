import type { AdminTokenSummary } from '@navplane/storage';
import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { formatOption } from '../format-option';
import { printJson, renderTable, type OutputFormat } from '../output';

/** `navplane admin-token create|list|revoke`: platform-admin tokens (npa_…) for the admin API; printed once. */
export function adminTokenCommand(): Command {
  const adminToken = new Command('admin-token').description('platform-admin tokens for the admin API');
  adminToken
    .command('create')
    .description('create a platform-admin token (printed once; stored argon2id-hashed)')
    .requiredOption('--name <name>', 'who or what uses it, 1-200 characters')
    .addOption(formatOption())
    .action(async (options: { name: string; format: OutputFormat }) => {
      const created = await withOperations(async (ops) => unwrap(await ops.adminTokens.create(options.name, CLI_ACTOR)));
      if (options.format === 'json') {
        printJson({ token: created.token, ...created.record });
        return;
      }
      process.stdout.write(
        [
          `token        ${created.token}`,
          `id           ${created.record.id}`,
          `name         ${created.record.name}`,
          '',
          'store this token now: it is shown only once',
          '',
        ].join('\n'),
      );
    });
  adminToken
    .command('list')
    .description('admin tokens not revoked, oldest first (created_at, then id); never the token')
    .addOption(formatOption())
    .action(async (options: { format: OutputFormat }) => {
      const tokens = (await withOperations(async (ops) => unwrap(await ops.adminTokens.list()))).sort(
        (a: AdminTokenSummary, b: AdminTokenSummary) =>
          a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1,
      );
      if (options.format === 'json') printJson({ adminTokens: tokens });
      else process.stdout.write(`${renderTable(['id', 'name', 'displayPrefix', 'createdAt', 'lastUsedAt'], tokens)}\n`);
    });
  adminToken
    .command('revoke')
    .description('revoke an admin token at once')
    .argument('<tokenId>')
    .addOption(formatOption())
    .action(async (tokenId: string, options: { format: OutputFormat }) => {
      const revoked = await withOperations(async (ops) => unwrap(await ops.adminTokens.revoke(tokenId, CLI_ACTOR), tokenId));
      if (options.format === 'json') printJson({ ...revoked });
      else process.stdout.write(`revoked admin token ${revoked.id} (${revoked.name})\n`);
    });
  return adminToken;
}
