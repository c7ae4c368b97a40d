import { Command, Option } from 'commander';
import { unwrap } from '../cli-operations';
import { formatOption } from '../format-option';
import { CliError, printJson, renderTable, type OutputFormat } from '../output';
import { withStore } from '../store';
import { parseInstant } from '../time-range';
import { attemptRows, attemptsSummary } from './trace-attempts';

interface DebugOptions {
  org?: string;
  limit: string;
  since?: string;
  format: OutputFormat;
}

/**
 * `navplane debug [--org <id>] [--limit N] [--since <t>] [--format json]`: the last N failed requests (the one
 * definition of docs/traces.md: status >= 400, or broken after it started), newest first, with their error class
 * and upstream failure class; offline.
 */
export function debugCommand(): Command {
  return new Command('debug')
    .description('the last failing requests with their error class and upstream failure class (offline)')
    .option('--org <orgId>', 'only this org')
    .addOption(new Option('--limit <n>', 'how many').default('20'))
    .option('--since <time>', 'only failures from this time: ISO-8601 or a duration ago such as 1h')
    .addOption(formatOption())
    .action(async (options: DebugOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be an integer from 1 to 1000', 2);
      const since = options.since === undefined ? undefined : new Date(parseInstant(options.since, '--since', Date.now())).toISOString();
      const failures = unwrap(await withStore(({ traces }) => traces.failures({ orgId: options.org ?? null, from: since, limit })));
      const rows = failures.map((t) => ({
        traceId: t.id,
        startedAt: t.startedAt,
        orgId: t.orgId,
        keyId: t.keyId,
        provider: t.provider,
        model: t.model,
        method: t.method,
        route: t.route,
        status: t.status,
        errorClass: t.errorClass,
        upstreamFailure: t.upstreamFailure,
        latencyMs: t.latencyMs,
        requestId: t.requestId,
        routeName: t.routeName,
        attempts: attemptRows(t.attempts).map(({ attempt: _attempt, ...rest }) => rest),
      }));
      const counts = new Map<string, number>();
      for (const row of rows) counts.set(row.errorClass ?? 'none', (counts.get(row.errorClass ?? 'none') ?? 0) + 1);
      const byErrorClass = [...counts]
        .map(([errorClass, count]) => ({ errorClass, count }))
        .sort((a, b) => b.count - a.count || (a.errorClass < b.errorClass ? -1 : 1));
      if (options.format === 'json') {
        printJson({ count: rows.length, byErrorClass, failures: rows });
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no failing requests\n');
        return;
      }
      const columns = [
        'traceId',
        'startedAt',
        'status',
        'errorClass',
        'upstreamFailure',
        'provider',
        'model',
        'route',
        'latencyMs',
      ] as const;
      const summary = byErrorClass.map((e) => `${e.errorClass}: ${e.count}`).join(', ');
      process.stdout.write(`${renderTable(columns, rows)}\n\n${rows.length} failing request(s): ${summary}\n`);
      // A routed request's attempts, one line each (the route, then every target tried and what came of it).
      const routed = failures.flatMap((t) => {
        const line = attemptsSummary(t.attempts);
        return line === null ? [] : [`  ${t.id} route ${t.routeName ?? ''}: ${line}`];
      });
      if (routed.length > 0) process.stdout.write(`\nattempts of routed requests:\n${routed.join('\n')}\n`);
      process.stdout.write('details: npx navplane trace show <traceId>\n');
    });
}
