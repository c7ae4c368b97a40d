import { NO_TRAFFIC, type SummarizeInput, type TrafficNumbers, type TrafficRow, type UsageCostStatus } from '@navplane/trace';
import { Command, Option } from 'commander';
import { unwrap } from '../cli-operations';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';
import { withStore } from '../store';
import { resolveTimeRange } from '../time-range';

interface ReportOptions {
  org?: string;
  from?: string;
  to?: string;
  top: string;
  groupBy?: string;
  format: OutputFormat;
}

/** The extra groupings `--group-by` adds to each org's section. */
export const REPORT_GROUPINGS = ['tag', 'provider'] as const;
type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/** The sums every section of the report shows (the JSON shape; see docs/cli.md). */
export interface ReportNumbers {
  /** Proxied requests plus Batch API results fetched through the gateway (docs/traces.md, "Batch usage"). */
  requests: number;
  /** Of `requests`, the Batch API results. */
  batchRequests: number;
  /** Failed requests (docs/traces.md, "Failed requests"). */
  errors: number;
  tokensIn: number;
  tokensOut: number;
  /** Total estimated cost in USD; null when any request's cost is unknown (unpriced): never summed as $0. */
  costUsd: number | null;
  /** The sum of the known costs (a lower bound when some are unknown). */
  pricedCostUsd: number;
  /** Requests whose cost is unknown: unpriced model, or no usage reported. */
  costUnknownRequests: number;
  costStatus: UsageCostStatus;
}

/** One org's section of the report. */
export interface OrgReport extends ReportNumbers {
  orgId: string;
  orgName: string | null;
  errorRate: number;
  avgLatencyMs: number | null;
  topModels: Array<{ provider: string | null; model: string | null } & ReportNumbers>;
  topKeys: Array<{ keyId: string | null; keyName: string | null; displayPrefix: string | null } & ReportNumbers>;
  errorClasses: Array<{ errorClass: string; count: number }>;
  /**
   * With `--group-by tag`: the org's usage by request tag (`X-NavPlane-Tags`), biggest first, untagged requests as
   * `tag: null`; a request with several tags is in each of their rows, so these can add up to more than the org's.
   */
  byTag?: Array<{ tag: string | null } & ReportNumbers>;
  /** With `--group-by provider`: the org's usage by provider, biggest first. */
  byProvider?: Array<{ provider: string | null } & ReportNumbers>;
}

// Biggest first; ties broken by the name so the order never depends on the database.
const byRequests =
  <T extends { requests: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.requests - a.requests || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The groupings `--group-by` names (comma-separated `tag`, `provider`), or a usage error. */
function parseGroupings(value: string | undefined): ReadonlySet<ReportGrouping> {
  if (value === undefined) return new Set();
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(REPORT_GROUPINGS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new CliError(`--group-by takes ${REPORT_GROUPINGS.join(', ')} (comma-separated), not ${unknown.join(', ')}`, 2);
  return new Set(names as ReportGrouping[]);
}

/**
 * `navplane report [--org <id>] [--from <t>] [--to <t>] [--top N] [--group-by tag,provider] [--format json]`:
 * requests, tokens, cost, errors, top models and keys per org over [from, to) (default the last 24 h), and with
 * `--group-by` the org's usage by request tag and by provider, offline from the database, through the trace reads the
 * admin API uses (@navplane/trace).
 */
export function reportCommand(): Command {
  return new Command('report')
    .description('usage report per org: requests, tokens, cost, errors, top models and keys (offline)')
    .option('--org <orgId>', 'only this org (default: every org)')
    .option('--from <time>', 'start, inclusive: ISO-8601, `now` or a duration ago such as 7d (default 24h)')
    .option('--to <time>', 'end, exclusive: ISO-8601, `now` or a duration ago (default now)')
    .addOption(new Option('--top <n>', 'how many models, keys, tags and providers to list per org').default('5'))
    .option(
      '--group-by <keys>',
      'also group each org by `tag` (X-NavPlane-Tags; a request counts under each of its tags) and/or `provider`, comma-separated',
    )
    .addOption(formatOption())
    .action(async (options: ReportOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1 || top > 1000) throw new CliError('--top must be an integer from 1 to 1000', 2);
      const groupings = parseGroupings(options.groupBy);
      const range = resolveTimeRange(options, Date.now());
      const { overall, reports } = await withStore(async ({ repos, traces }) => {
        let orgs = await repos.orgs.list();
        if (options.org !== undefined) {
          orgs = orgs.filter((org) => org.id === options.org);
          if (orgs.length === 0) throw new CliError(`no org ${options.org}`);
        }
        const scope = { ...range, orgId: options.org ?? null };
        const summary = async (input: Omit<SummarizeInput, 'orgId' | 'from' | 'to'>) =>
          unwrap(await traces.summarize({ ...scope, ...input }));
        const [totals, models, keys, errorClasses, tags, providers] = await Promise.all([
          summary({ groupBy: ['org'] }),
          summary({ groupBy: ['org', 'provider', 'model'] }),
          summary({ groupBy: ['org', 'key'] }),
          summary({ groupBy: ['org', 'errorClass'], failedOnly: true }),
          groupings.has('tag') ? summary({ groupBy: ['org', 'tag'] }) : undefined,
          groupings.has('provider') ? summary({ groupBy: ['org', 'provider'] }) : undefined,
        ]);
        const ofOrg = (rows: TrafficRow[], orgId: string) => rows.filter((row) => row.group[0] === orgId);
        const names = new Map(orgs.map((org) => [org.id, org.name]));
        // Orgs with traffic but no row (should not happen) still get a section rather than vanish.
        const orgIds = [...new Set([...orgs.map((o) => o.id), ...totals.rows.flatMap((t) => t.group[0] ?? [])])].sort();
        const keyInfo = new Map<string, { name: string; displayPrefix: string }>();
        for (const orgId of new Set(keys.rows.flatMap((k) => k.group[0] ?? []))) {
          for (const key of await repos.gatewayKeys.listByOrg(orgId)) keyInfo.set(key.id, key);
        }
        const sections = orgIds.map((orgId): OrgReport => {
          const sums = ofOrg(totals.rows, orgId)[0] ?? NO_TRAFFIC;
          return {
            orgId,
            orgName: names.get(orgId) ?? null,
            ...reportNumbers(sums),
            // Over the proxied requests: batch results are never failures.
            errorRate: proxiedOf(sums) === 0 ? 0 : Math.round((sums.failedRequests / proxiedOf(sums)) * 10_000) / 10_000,
            avgLatencyMs: sums.avgLatencyMs,
            topModels: ofOrg(models.rows, orgId)
              .map((m) => ({ provider: m.group[1] ?? null, model: m.group[2] ?? null, ...reportNumbers(m) }))
              .sort(byRequests((m) => `${m.provider ?? ''}/${m.model ?? ''}`))
              .slice(0, top),
            topKeys: ofOrg(keys.rows, orgId)
              .map((k) => {
                const keyId = k.group[1] ?? null;
                const info = keyId === null ? undefined : keyInfo.get(keyId);
                return { keyId, keyName: info?.name ?? null, displayPrefix: info?.displayPrefix ?? null, ...reportNumbers(k) };
              })
              .sort(byRequests((k) => k.keyId ?? ''))
              .slice(0, top),
            errorClasses: ofOrg(errorClasses.rows, orgId)
              .map((e) => ({ errorClass: e.group[1] ?? 'none', count: e.requests }))
              .sort((a, b) => b.count - a.count || (a.errorClass < b.errorClass ? -1 : 1)),
            ...(tags === undefined
              ? {}
              : {
                  byTag: ofOrg(tags.rows, orgId)
                    .map((row) => ({ tag: row.group[1] ?? null, ...reportNumbers(row) }))
                    .sort(byRequests((row) => row.tag ?? '\uffff')) // untagged last among equals
                    .slice(0, top),
                }),
            ...(providers === undefined
              ? {}
              : {
                  byProvider: ofOrg(providers.rows, orgId)
                    .map((row) => ({ provider: row.group[1] ?? null, ...reportNumbers(row) }))
                    .sort(byRequests((row) => row.provider ?? ''))
                    .slice(0, top),
                }),
          };
        });
        return { overall: reportNumbers(totals.totals), reports: sections };
      });

      if (options.format === 'json') {
        printJson({ from: range.from, to: range.to, totals: overall, orgs: reports });
        return;
      }
      printReportTable(range, overall, reports);
    });
}

const proxiedOf = (n: TrafficNumbers) => n.requests - n.batchRequests;

function reportNumbers(n: TrafficNumbers): ReportNumbers {
  return {
    requests: n.requests,
    batchRequests: n.batchRequests,
    errors: n.failedRequests,
    tokensIn: n.tokensIn,
    tokensOut: n.tokensOut,
    costUsd: n.costUsd,
    pricedCostUsd: n.pricedCostUsd,
    costUnknownRequests: n.unknownCostRequests,
    costStatus: n.costStatus,
  };
}

const usd = (value: number) => `$${value.toFixed(6)}`;

/** A cost as the table shows it: `unknown` when no request is priced, `>= $x` when some are not, else `$x`. */
export function formatCost(n: Pick<ReportNumbers, 'requests' | 'costUsd' | 'pricedCostUsd' | 'costUnknownRequests'>): string {
  if (n.costUsd !== null) return usd(n.costUsd);
  return n.costUnknownRequests >= n.requests ? 'unknown' : `>= ${usd(n.pricedCostUsd)}`;
}

function printReportTable(range: { from: string; to: string }, overall: ReportNumbers, reports: OrgReport[]): void {
  const out: string[] = [`report from ${range.from} to ${range.to}`, ''];
  out.push(
    renderTable(
      ['org', 'name', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost', 'unpriced', 'avgLatencyMs'],
      reports.map((r) => ({
        org: r.orgId,
        name: r.orgName,
        requests: r.requests,
        errors: r.errors,
        tokensIn: r.tokensIn,
        tokensOut: r.tokensOut,
        cost: formatCost(r),
        unpriced: r.costUnknownRequests,
        avgLatencyMs: r.avgLatencyMs,
      })),
    ),
  );
  out.push(
    '',
    `total: ${overall.requests} requests (${overall.batchRequests} batch results), ${overall.errors} errors, ${overall.tokensIn} tokens in, ${overall.tokensOut} tokens out, ` +
      `cost ${formatCost(overall)}, ${overall.costUnknownRequests} unpriced request(s)`,
  );
  for (const r of reports.filter((x) => x.requests > 0)) {
    out.push('', `${r.orgId} (${r.orgName ?? '?'}) top models`);
    out.push(
      renderTable(
        ['provider', 'model', 'requests', 'tokensIn', 'tokensOut', 'cost', 'unpriced', 'batch'],
        r.topModels.map((m) => ({ ...m, batch: m.batchRequests, cost: formatCost(m), unpriced: m.costUnknownRequests })),
      ),
    );
    out.push('', `${r.orgId} top keys`);
    out.push(
      renderTable(
        ['keyId', 'keyName', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost', 'unpriced'],
        r.topKeys.map((k) => ({ ...k, cost: formatCost(k), unpriced: k.costUnknownRequests })),
      ),
    );
    if (r.errorClasses.length > 0) {
      out.push('', `${r.orgId} errors`, renderTable(['errorClass', 'count'], r.errorClasses));
    }
    if (r.byTag !== undefined) {
      out.push('', `${r.orgId} by tag (a request counts under each of its tags)`);
      out.push(
        renderTable(
          ['tag', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost', 'unpriced'],
          r.byTag.map((row) => ({ ...row, tag: row.tag ?? '(untagged)', cost: formatCost(row), unpriced: row.costUnknownRequests })),
        ),
      );
    }
    if (r.byProvider !== undefined) {
      out.push('', `${r.orgId} by provider`);
      out.push(
        renderTable(
          ['provider', 'requests', 'errors', 'tokensIn', 'tokensOut', 'cost', 'unpriced'],
          r.byProvider.map((row) => ({ ...row, cost: formatCost(row), unpriced: row.costUnknownRequests })),
        ),
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
