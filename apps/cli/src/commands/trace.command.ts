import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeConfig } from '@navplane/config';
import type { Trace } from '@navplane/storage';
import { Command, Option } from 'commander';
import { canonicalSha256 } from '../canonical-json';
import { describeError } from '../describe-error';
import { formatOption } from '../format-option';
import { CliError, JSON_SCHEMA_VERSION, printJson, renderTable, type OutputFormat } from '../output';
import { renderAttempts } from './trace-attempts';
import { withStore } from '../store';
import { CLI_VERSION } from '../version';
import { parseInstant } from '../time-range';
import { chainOf, findTraceOrFail, loadChain, REQUEST_ID_LOOKBACK, type Chain } from './trace-lookup';

/** `navplane trace show|chain|diff|export`: one request's trace and its lineage, offline from the database. */
export function traceCommand(): Command {
  const trace = new Command('trace').description('inspect traces offline: show, chain, diff, export');
  trace.addCommand(showCommand()).addCommand(chainCommand()).addCommand(diffCommand()).addCommand(exportCommand());
  return trace;
}

function showCommand(): Command {
  return new Command('show')
    .description('one trace with every field (bodies only as stored: redacted), by trace id, X-Request-Id or OpenTelemetry trace id')
    .argument('<id>', 'a trace id (trc_…, X-NavPlane-Trace-Id), an OpenTelemetry trace id (32 hex digits) or a request id (X-Request-Id)')
    .option(
      '--since <time>',
      `how far back a request id is looked up: ISO-8601 or a duration ago (default ${REQUEST_ID_LOOKBACK})`,
      REQUEST_ID_LOOKBACK,
    )
    .addOption(formatOption())
    .action(async (traceId: string, options: { since: string; format: OutputFormat }) => {
      const sinceIso = new Date(parseInstant(options.since, '--since', Date.now())).toISOString();
      const onOthers = (count: number) =>
        process.stderr.write(`navplane: ${count} older trace(s) carry the same request id; showing the newest\n`);
      const trace = await withStore(({ traces }) => findTraceOrFail(traces, traceId, { sinceIso, onOthers }));
      if (options.format === 'json') {
        printJson({ trace });
        return;
      }
      const { requestBody, responseBody, attempts, ...fields } = trace;
      const rows = Object.entries(fields).map(([field, value]) => ({ field, value }));
      const out = [renderTable(['field', 'value'], rows)];
      const attemptTable = renderAttempts(attempts);
      if (attemptTable !== undefined) out.push('', `attempts (route ${trace.routeName ?? ''}):`, attemptTable);
      if (requestBody !== null) out.push('', 'request body (as stored, redacted):', requestBody);
      if (responseBody !== null) out.push('', 'response body (as stored, redacted):', responseBody);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

interface ChainOptions {
  group?: string;
  thread?: string;
  run?: string;
  org?: string;
  format: OutputFormat;
}

function chainCommand(): Command {
  return new Command('chain')
    .description('every trace of a trace group, thread or run: by started_at then id, parents before children')
    .option('--group <id>', 'X-NavPlane-Trace-Group value')
    .option('--thread <id>', 'X-NavPlane-Thread value')
    .option('--run <id>', 'X-NavPlane-Run value')
    .option('--org <orgId>', 'only traces of this org')
    .addOption(formatOption())
    .action(async (options: ChainOptions) => {
      const given = (['group', 'thread', 'run'] as const).flatMap((kind) => {
        const id = options[kind];
        return id === undefined ? [] : [{ kind, id }];
      });
      const [lineage, ...others] = given;
      if (lineage === undefined || others.length > 0) throw new CliError('give exactly one of --group, --thread or --run', 2);
      const { kind, id } = lineage;
      const chain = await withStore(({ traces }) => loadChain(traces, kind, id, options.org));
      if (options.format === 'json') {
        printJson({ ...chain, count: chain.traces.length });
        return;
      }
      printChainTable(chain);
    });
}

function printChainTable(chain: Chain): void {
  if (chain.traces.length === 0) {
    process.stdout.write(`no traces with ${chain.by} ${chain.id}\n`);
    return;
  }
  const rows = chain.traces.map((t) => ({
    trace: `${'  '.repeat(t.depth)}${t.id}`,
    startedAt: t.startedAt,
    parent: t.parentTraceId,
    provider: t.provider,
    model: t.model,
    status: t.status,
    latencyMs: t.latencyMs,
    tokensIn: t.tokensIn,
    tokensOut: t.tokensOut,
    errorClass: t.errorClass,
  }));
  const columns = [
    'trace',
    'startedAt',
    'parent',
    'provider',
    'model',
    'status',
    'latencyMs',
    'tokensIn',
    'tokensOut',
    'errorClass',
  ] as const;
  const cut = chain.truncated ? ' (truncated)' : '';
  process.stdout.write(`${renderTable(columns, rows)}\n\n${chain.traces.length} trace(s)${cut}\n`);
}

/** One field that differs between two traces. */
interface FieldDifference {
  field: string;
  a: unknown;
  b: unknown;
  /** b - a, for numeric fields. */
  delta?: number;
}

// Every trace field, in the order `trace diff` compares them. Bodies are compared by digest only.
const DIFF_FIELDS: Array<keyof Trace> = [
  'orgId',
  'workspaceId',
  'keyId',
  'provider',
  'model',
  'route',
  'method',
  'status',
  'requestId',
  'startedAt',
  'latencyMs',
  'ttfbMs',
  'overheadMs',
  'tokensIn',
  'tokensOut',
  'cacheReadTokens',
  'cacheWriteTokens',
  'costUsd',
  'costStatus',
  'errorClass',
  'upstreamFailure',
  'traceGroup',
  'threadId',
  'runId',
  'parentTraceId',
  'policyDecisions',
  'routeName',
  'attempts',
  'otelTraceId',
  'stream',
  'requestBody',
  'responseBody',
];

/** A stored body as a diff shows it: its size and digest, never its text. */
function bodyDigest(body: string | null): { bytes: number; sha256: string } | null {
  if (body === null) return null;
  return { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex') };
}

/** The fields in which `b` differs from `a`, in DIFF_FIELDS order. */
export function diffTraces(a: Trace, b: Trace): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of DIFF_FIELDS) {
    const isBody = field === 'requestBody' || field === 'responseBody';
    const left = isBody ? bodyDigest(a[field]) : a[field];
    const right = isBody ? bodyDigest(b[field]) : b[field];
    if (JSON.stringify(left) === JSON.stringify(right)) continue;
    const entry: FieldDifference = { field, a: left, b: right };
    if (typeof left === 'number' && typeof right === 'number') entry.delta = Math.round((right - left) * 1000) / 1000;
    differences.push(entry);
  }
  return differences;
}

function diffCommand(): Command {
  return new Command('diff')
    .description('field-by-field differences between two traces (bodies compared by size and SHA-256 only)')
    .argument('<traceA>')
    .argument('<traceB>')
    .addOption(formatOption())
    .action(async (idA: string, idB: string, options: { format: OutputFormat }) => {
      const [a, b] = await withStore(({ traces }) => Promise.all([findTraceOrFail(traces, idA), findTraceOrFail(traces, idB)]));
      const differences = diffTraces(a, b);
      if (options.format === 'json') {
        printJson({ a: a.id, b: b.id, identical: differences.length === 0, differences });
        return;
      }
      if (differences.length === 0) {
        process.stdout.write(`${a.id} and ${b.id} do not differ (apart from their ids)\n`);
        return;
      }
      const rows = differences.map((d) => ({ field: d.field, a: d.a, b: d.b, delta: d.delta }));
      process.stdout.write(`a = ${a.id}\nb = ${b.id}\n\n${renderTable(['field', 'a', 'b', 'delta'], rows)}\n`);
    });
}

/** The bundle's format marker. */
export const TRACE_BUNDLE_KIND = 'navplane.trace-bundle';

function exportCommand(): Command {
  return new Command('export')
    .description('write a reproducible debug bundle: the trace, its chain and the configuration (secrets masked)')
    .argument('<traceId>')
    .addOption(new Option('--out <path>', 'bundle file, or - for stdout (default: navplane-trace-<id>.json)'))
    .action(async (traceId: string, options: { out?: string }) => {
      const content = await withStore(async ({ traces, config }) => {
        const trace = await findTraceOrFail(traces, traceId);
        const chain = await chainOf(traces, trace);
        return { trace, chain, config: describeConfig(config) };
      });
      // The digest covers the content only, so two exports of the same data carry the same digest.
      const contentSha256 = canonicalSha256(content);
      const manifest = {
        kind: TRACE_BUNDLE_KIND,
        schemaVersion: JSON_SCHEMA_VERSION,
        generator: { name: 'navplane', version: CLI_VERSION },
        createdAt: new Date().toISOString(),
        traceId,
        contentSha256,
        digest: 'sha256 of the canonical JSON of `content` (keys sorted recursively, no whitespace)',
      };
      const text = `${JSON.stringify({ manifest, content }, null, 2)}\n`;
      if (options.out === '-') {
        process.stdout.write(text);
        return;
      }
      const path = resolve(options.out ?? `navplane-trace-${traceId}.json`);
      try {
        // Bundles may hold (redacted) bodies: readable by the owner only.
        await writeFile(path, text, { mode: 0o600 });
      } catch (error) {
        throw new CliError(`cannot write ${path}: ${describeError(error)}`);
      }
      process.stdout.write(`wrote ${path} (content sha256 ${contentSha256})\n`);
    });
}
