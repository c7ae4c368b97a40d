import type { Org } from '@navplane/storage';
import { Command } from 'commander';
import { CLI_ACTOR, unwrap, withOperations } from '../cli-operations';
import { formatOption } from '../format-option';
import { printJson, renderTable, type OutputFormat } from '../output';

const byCreation = (a: Org, b: Org) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function printOrg(org: Org, format: OutputFormat, verb: string): void {
  if (format === 'json') printJson({ ...org });
  else process.stdout.write(`${verb} org ${org.id} (${org.name}): ${org.enabled ? 'enabled' : 'disabled'}\n`);
}

/** `navplane org create|list|enable|disable`: tenants and their kill switch (audited, announced to gateways). */
export function orgCommand(): Command {
  const org = new Command('org').description('orgs (tenants) and their kill switch');
  org
    .command('create')
    .description('create an enabled org')
    .argument('<name>', 'a name for people, 1-200 characters')
    .addOption(formatOption())
    .action(async (name: string, options: { format: OutputFormat }) => {
      const created = await withOperations(async (ops) => unwrap(await ops.orgs.create({ name }, CLI_ACTOR)));
      printOrg(created, options.format, 'created');
    });
  org
    .command('list')
    .description('every org, oldest first (created_at, then id)')
    .addOption(formatOption())
    .action(async (options: { format: OutputFormat }) => {
      const orgs = (await withOperations(async (ops) => unwrap(await ops.orgs.list()))).sort(byCreation);
      if (options.format === 'json') printJson({ orgs });
      else process.stdout.write(`${renderTable(['id', 'name', 'enabled', 'createdAt', 'updatedAt'], orgs)}\n`);
    });
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    org
      .command(verb)
      .description(
        enabled ? 'switch an org back on' : 'kill switch: every gateway refuses the org’s requests (403 org_disabled) once this returns',
      )
      .argument('<orgId>')
      .addOption(formatOption())
      .action(async (orgId: string, options: { format: OutputFormat }) => {
        const updated = await withOperations(async (ops) => unwrap(await ops.orgs.setEnabled(orgId, enabled, CLI_ACTOR), orgId));
        printOrg(updated, options.format, verb === 'enable' ? 'enabled' : 'disabled');
      });
  }
  return org;
}
