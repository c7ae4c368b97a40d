// `node tools/bench/dist/explain-plans.js`: the query plans of the trace queries on both dialects, as
// docs/storage.md shows them. Fills a fresh database with 100 000 traces over 35 days (one org holds half of
// them and all lineage, the rest is spread over 19 orgs; 2 % failed, lineage on one in ten of the big org's),
// runs each repository method once through
// a plugin that captures the SQL it sends, and prints `EXPLAIN (COSTS OFF)` (Postgres, after ANALYZE, as
// autovacuum would) or `EXPLAIN QUERY PLAN` (SQLite, no ANALYZE: what a fresh install runs) for it.
// Postgres runs when BENCH_POSTGRES_URL (or NAVPLANE_TEST_POSTGRES_URL) names a server.
import { itemAt, newId, toIso } from '@navplane/core';
import { createRepositories, createTraceForksRepository, createTracesRepository, type NewTrace } from '@navplane/storage';
import { createTestDatabase, type TestDatabase } from '@navplane/testing';
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const POSTGRES_SERVER = process.env['BENCH_POSTGRES_URL'] ?? process.env['NAVPLANE_TEST_POSTGRES_URL'];
if (POSTGRES_SERVER !== undefined) process.env['NAVPLANE_TEST_POSTGRES_URL'] = POSTGRES_SERVER;
const ROWS = Number(process.env['BENCH_EXPLAIN_ROWS'] ?? 100_000);

/** Keeps the last statement Kysely sent (node and query id, to compile it again for EXPLAIN). */
class CaptureLast implements KyselyPlugin {
  last: PluginTransformQueryArgs | undefined;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.last = args;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'o3-mini', 'claude-sonnet-4-6', 'claude-haiku-4-5'];
const START = Date.UTC(2026, 9, 1);

interface Fixture {
  /** Half of all traces (and all lineage). */
  bigOrg: string;
  /** One of 19 orgs sharing the other half (~2 600 traces): the usual tenant. */
  org: string;
  key: string;
  cursor: string;
  run: string;
  thread: string;
  group: string;
  parents: string[];
}

async function fill(test: TestDatabase): Promise<Fixture> {
  const repos = createRepositories(test.database);
  const orgs = Array.from({ length: 20 }, () => newId('org'));
  const keys = orgs.map(() => Array.from({ length: 10 }, () => newId('gatewayKey')));
  const bigOrg = itemAt(orgs, 0);
  let batch: NewTrace[] = [];
  let cursor = '';
  let parents: string[] = [];
  for (let i = 0; i < ROWS; i += 1) {
    const orgIndex = i % 2 === 0 ? 0 : 1 + (i % 19);
    const model = itemAt(MODELS, i % MODELS.length);
    const startedMs = START + i * 30_000; // 100 000 traces over ~35 days
    const lineage = i % 10 === 0;
    const trace: NewTrace = {
      id: newId('trace', startedMs),
      orgId: itemAt(orgs, orgIndex),
      keyId: itemAt(itemAt(keys, orgIndex), i % 10),
      provider: model.startsWith('claude') ? 'anthropic' : 'openai',
      model,
      route: '/v1/chat/completions',
      method: 'POST',
      status: i % 50 === 0 ? 500 : 200,
      requestId: newId('request'),
      startedAt: toIso(startedMs),
      latencyMs: 500,
      tokensIn: 100,
      tokensOut: 50,
      costUsd: i % 7 === 0 ? null : 0.0001,
      costStatus: i % 7 === 0 ? 'unknown' : 'estimated',
      runId: lineage ? `run-${i % 5000}` : null,
      threadId: lineage ? `thread-${i % 2000}` : null,
      traceGroup: lineage ? `group-${i % 100}` : null,
      parentTraceId: lineage && i > 20 ? (batch[batch.length - 10]?.id ?? null) : null,
      stream: false,
    };
    batch.push(trace);
    if (orgIndex === 1 && cursor === '' && i > ROWS / 2) cursor = trace.id;
    if (lineage && parents.length < 20) parents.push(trace.id);
    if (batch.length === 1000) {
      await repos.traces.insertBatch(batch);
      batch = [];
    }
  }
  await repos.traces.insertBatch(batch);
  await repos.traceForks.insert({
    id: `frk_${newId('trace').slice(4)}`,
    orgId: bigOrg,
    sourceTraceId: itemAt(parents, 0),
    newRunId: 'run_fork',
    createdAt: toIso(START),
    createdBy: 'cli',
  });
  parents = parents.slice(0, 10);
  return {
    bigOrg,
    org: itemAt(orgs, 1),
    key: itemAt(itemAt(keys, 1), 3),
    cursor,
    run: 'run-40',
    thread: 'thread-40',
    group: 'group-40',
    parents,
  };
}

async function explain(test: TestDatabase, compiled: CompiledQuery): Promise<string> {
  const { db } = test.database;
  if (test.database.dialect === 'postgres') {
    const result = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain (costs off) ${compiled.sql}` });
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  }
  const result = await db.executeQuery<{ id: number; parent: number; detail: string }>({
    ...compiled,
    sql: `explain query plan ${compiled.sql}`,
  });
  const depth = new Map<number, number>([[0, -1]]);
  return result.rows
    .map((row) => {
      const level = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, level);
      return `${'  '.repeat(level)}${row.detail}`;
    })
    .join('\n');
}

/** One explained query. */
interface Explained {
  name: string;
  sql: string;
  plan: string;
}

async function plansFor(dialect: 'sqlite' | 'postgres'): Promise<Explained[]> {
  const test = await createTestDatabase(dialect);
  try {
    process.stderr.write(`- ${dialect}: filling ${ROWS} traces\n`);
    const f = await fill(test);
    if (dialect === 'postgres') await test.database.db.executeQuery(CompiledQuery.raw('analyze'));
    const capture = new CaptureLast();
    const db = test.database.db.withPlugin(capture);
    const traces = createTracesRepository(db, test.database.capabilities);
    const forks = createTraceForksRepository(db);
    const day = (n: number) => toIso(START + n * 24 * 3600_000);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['requests: newest first, no filter', () => traces.listByOrg(f.org, { limit: 50 })],
      ['requests: next page (cursor)', () => traces.listByOrg(f.org, { limit: 50, before: f.cursor })],
      ['requests: model', () => traces.listByOrg(f.org, { limit: 50, model: 'o3-mini' })],
      ['requests: key', () => traces.listByOrg(f.org, { limit: 50, keyId: f.key })],
      ['requests: provider', () => traces.listByOrg(f.org, { limit: 50, provider: 'anthropic' })],
      ['requests: failed (status >= 400 or broken mid-stream)', () => traces.listByOrg(f.org, { limit: 50, status: 'failed' })],
      ['requests: exact status 500', () => traces.listByOrg(f.org, { limit: 50, status: 500 })],
      ['requests: time range', () => traces.listByOrg(f.org, { limit: 50, from: day(10), to: day(11) })],
      [
        'requests: model + time range + cursor',
        () => traces.listByOrg(f.org, { limit: 50, model: 'gpt-4o', from: day(1), to: day(30), before: f.cursor }),
      ],
      ['requests: the org holding half of all traces, no filter', () => traces.listByOrg(f.bigOrg, { limit: 50 })],
      ['requests: the org holding half of all traces, model', () => traces.listByOrg(f.bigOrg, { limit: 50, model: 'o3-mini' })],
      ['usage by model over 7 days', () => traces.aggregate({ orgId: f.org, groupBy: ['model'], from: day(7), to: day(14) })],
      ['usage by day over 7 days', () => traces.aggregate({ orgId: f.org, groupBy: ['day'], from: day(7), to: day(14) })],
      ['usage by key over 7 days', () => traces.aggregate({ orgId: f.org, groupBy: ['key'], from: day(7), to: day(14) })],
      ['lineage: run', () => traces.listByLineage(f.bigOrg, 'run', f.run)],
      ['lineage: thread', () => traces.listByLineage(f.bigOrg, 'thread', f.thread)],
      ['lineage: group', () => traces.listByLineage(f.bigOrg, 'group', f.group)],
      ['lineage: children inheriting the run', () => traces.listChildren(f.bigOrg, f.parents, 'run')],
      ['lineage: traces by id (parents)', () => traces.findSummaries(f.bigOrg, f.parents)],
      ['fork of a run', () => forks.findByRunId(f.bigOrg, 'run_fork')],
      ['retention: one delete batch', () => traces.deleteOlderThan(toIso(START - 1), { batchSize: 500 })],
    ];
    const explained: Explained[] = [];
    for (const [name, run] of cases) {
      capture.last = undefined;
      await run();
      const last = capture.last as PluginTransformQueryArgs | undefined;
      if (last === undefined) throw new Error(`${name}: no statement captured`);
      const compiled = test.database.db.getExecutor().compileQuery(last.node, last.queryId);
      explained.push({ name, sql: compiled.sql, plan: await explain(test, compiled) });
    }
    return explained;
  } finally {
    await test.drop();
  }
}

// Readable output: the long summary column list and the generated ids are abbreviated.
const tidy = (text: string) =>
  text
    .replace(/select "id", "org_id", .*?"stream" from/g, 'select <summary columns> from')
    .replace(/\b(org|trc|key)_[0-9a-z]{26}\b/g, '$1_…')
    .replace(/'\{trc_….*?\}'/g, "'{trc_…,…}'");

async function main(): Promise<void> {
  const dialects: Array<'sqlite' | 'postgres'> = POSTGRES_SERVER ? ['sqlite', 'postgres'] : ['sqlite'];
  const results = new Map<string, Explained[]>();
  for (const dialect of dialects) results.set(dialect, await plansFor(dialect));
  const sqlite = results.get('sqlite') as Explained[];
  let out = '';
  for (const [index, query] of sqlite.entries()) {
    out += `#### ${query.name}\n\n\`\`\`sql\n${tidy(query.sql)}\n\`\`\`\n\n`;
    out += `SQLite:\n\n\`\`\`text\n${tidy(query.plan)}\n\`\`\`\n\n`;
    const postgres = results.get('postgres')?.[index];
    if (postgres !== undefined) out += `Postgres:\n\n\`\`\`text\n${tidy(postgres.plan)}\n\`\`\`\n\n`;
  }
  process.stdout.write(out);
}

main().catch((error: unknown) => {
  process.stderr.write(`explain failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
