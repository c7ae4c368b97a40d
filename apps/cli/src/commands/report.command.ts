import { Command, Option } from 'commander';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';
import { withStore } from '../store';
import { resolveTimeRange } from '../time-range';
import { createTraceQueries, roundUsd, type KeyTotals, type ModelTotals, type Totals } from '../trace-queries';

interface ReportOptions {
  org?: string;
  from?: string;
  to?: string;
  top: string;
  format: OutputFormat;
}

/** One org's section of the report (the JSON shape; see docs/cli.md). */
export interface OrgReport extends Totals {
  orgId: string;
  orgName: string | null;
  errorRate: number;
  avgLatencyMs: number | null;
  topModels: Array<Omit<ModelTotals, 'orgId'>>;
  topKeys: Array<Omit<KeyTotals, 'orgId'> & { keyName: string | null; displayPrefix: string | null }>;
  errorClasses: Array<{ errorClass: string; count: number }>;
}

const EMPTY: Totals = { requests: 0, errors: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, costUnknownRequests: 0 };

// Biggest first; ties broken by the name so the order never depends on the database.
const byRequests =
  <T extends { requests: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.requests - a.requests || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * `navplane report [--org <id>] [--from <t>] [--to <t>] [--top N] [--format json]`: requests, tokens, cost,
 * errors, top models and keys per org over [from, to) (default the last 24 h), offline from the database.
 */
export function reportCommand(): Command {
  return new Command('report')
    .description('usage report per org: requests, tokens, cost, errors, top models and keys (offline)')
    .option('--org <orgId>', 'only this org (default: every org)')
    .option('--from <time>', 'start, inclusive: ISO-8601, `now` or a duration ago such as 7d (default 24h)')
    .option('--to <time>', 'end, exclusive: ISO-8601, `now` or a duration ago (default now)')
    .addOption(new Option('--top <n>', 'how many models and keys to list per org').default('5'))
    .addOption(formatOption())
    .action(async (options: ReportOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1 || top > 1000) throw new CliError('--top must be an integer from 1 to 1000', 2);
      const range = resolveTimeRange(options, Date.now());
      const reports = await withStore(async ({ database, repos }) => {
        const queries = createTraceQueries(database);
        let orgs = await repos.orgs.list();
        if (options.org !== undefined) {
          orgs = orgs.filter((org) => org.id === options.org);
          if (orgs.length === 0) throw new CliError(`no org ${options.org}`);
        }
        const scope = { ...range, orgId: options.org };
        const [totals, models, keys, errorClasses] = await Promise.all([
          queries.totals(scope),
          queries.byModel(scope),
          queries.byKey(scope),
          queries.byErrorClass(scope),
        ]);
        const names = new Map(orgs.map((org) => [org.id, org.name]));
        // Orgs with traffic but no row (should not happen) still get a section rather than vanish.
        const orgIds = [...new Set([...orgs.map((o) => o.id), ...totals.map((t) => t.orgId)])].sort();
        const keyInfo = new Map<string, { name: string; displayPrefix: string }>();
        for (const orgId of new Set(keys.map((k) => k.orgId))) {
          for (const key of await repos.gatewayKeys.listByOrg(orgId)) keyInfo.set(key.id, key);
        }
        return orgIds.map((orgId): OrgReport => {
          const total = totals.find((t) => t.orgId === orgId);
          const sums: Totals = total ?? EMPTY;
          return {
            orgId,
            orgName: names.get(orgId) ?? null,
            ...pickTotals(sums),
            errorRate: sums.requests === 0 ? 0 : Math.round((sums.errors / sums.requests) * 10_000) / 10_000,
            avgLatencyMs: total?.avgLatencyMs ?? null,
            topModels: models
              .filter((m) => m.orgId === orgId)
              .sort(byRequests((m) => `${m.provider}/${m.model ?? ''}`))
              .slice(0, top)
              .map((m) => ({ provider: m.provider, model: m.model, ...pickTotals(m) })),
            topKeys: keys
              .filter((k) => k.orgId === orgId)
              .sort(byRequests((k) => k.keyId ?? ''))
              .slice(0, top)
              .map((k) => ({
                keyId: k.keyId,
                keyName: (k.keyId && keyInfo.get(k.keyId)?.name) ?? null,
                displayPrefix: (k.keyId && keyInfo.get(k.keyId)?.displayPrefix) ?? null,
                ...pickTotals(k),
              })),
            errorClasses: errorClasses
              .filter((e) => e.orgId === orgId)
              .map((e) => ({ errorClass: e.errorClass, count: e.count }))
              .sort((a, b) => b.count - a.count || (a.errorClass < b.errorClass ? -1 : 1)),
          };
        });
      });

      const overall = reports.reduce<Totals>(
        (sum, r) => ({
          requests: sum.requests + r.requests,
          errors: sum.errors + r.errors,
          tokensIn: sum.tokensIn + r.tokensIn,
          tokensOut: sum.tokensOut + r.tokensOut,
          costUsd: roundUsd(sum.costUsd + r.costUsd),
          costUnknownRequests: sum.costUnknownRequests + r.costUnknownRequests,
        }),
        EMPTY,
      );
      if (options.format === 'json') {
        printJson({ from: range.from, to: range.to, totals: overall, orgs: reports });
        return;
      }
      printReportTable(range, overall, reports);
    });
}

function pickTotals(t: Totals): Totals {
  return {
    requests: t.requests,
    errors: t.errors,
    tokensIn: t.tokensIn,
    tokensOut: t.tokensOut,
    costUsd: t.costUsd,
    costUnknownRequests: t.costUnknownRequests,
  };
}

const usd = (value: number) => `$${value.toFixed(6)}`;

function printReportTable(range: { from: string; to: string }, overall: Totals, reports: OrgReport[]): void {
  const out: string[] = [`report from ${range.from} to ${range.to}`, ''];
  out.push(
    renderTable(
      ['org', 'name', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost', 'avgLatencyMs'],
      reports.map((r) => ({
        org: r.orgId,
        name: r.orgName,
        requests: r.requests,
        errors: r.errors,
        tokensIn: r.tokensIn,
        tokensOut: r.tokensOut,
        cost: r.costUnknownRequests > 0 ? `${usd(r.costUsd)} (+${r.costUnknownRequests} unpriced)` : usd(r.costUsd),
        avgLatencyMs: r.avgLatencyMs,
      })),
    ),
  );
  out.push(
    '',
    `total: ${overall.requests} requests, ${overall.errors} errors, ${overall.tokensIn} tokens in, ${overall.tokensOut} tokens out, ${usd(overall.costUsd)}`,
  );
  for (const r of reports.filter((x) => x.requests > 0)) {
    out.push('', `${r.orgId} (${r.orgName ?? '?'}) top models`);
    out.push(
      renderTable(
        ['provider', 'model', 'requests', 'tokensIn', 'tokensOut', 'cost'],
        r.topModels.map((m) => ({ ...m, cost: usd(m.costUsd) })),
      ),
    );
    out.push('', `${r.orgId} top keys`);
    out.push(
      renderTable(
        ['keyId', 'keyName', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost'],
        r.topKeys.map((k) => ({ ...k, cost: usd(k.costUsd) })),
      ),
    );
    if (r.errorClasses.length > 0) {
      out.push('', `${r.orgId} errors`, renderTable(['errorClass', 'count'], r.errorClasses));
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
