import OpenAI from 'openai';
import { loadProviderFixtures, TEST_DIALECTS } from '@navplane/testing';
import { createTraceQueries, type TraceQueries, type UsageRow } from '@navplane/trace';
import { startKeyedGateway, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

// Batch usage (docs/traces.md, "Batch usage"): results fetched through the gateway are counted once each, by their own
// model, at half the model's price; the bytes pass through untouched and unbuffered.

function fixture(provider: string, name: string): Buffer {
  const folder = loadProviderFixtures(provider);
  if (folder === undefined) throw new Error(`no fixtures for ${provider}`);
  return folder.file(name);
}

const OPENAI_OUTPUT = fixture('openai', 'batch-output.jsonl');
const OPENAI_INPUT = fixture('openai', 'batch-input.jsonl');
const ANTHROPIC_RESULTS = fixture('anthropic', 'batch-results.jsonl');
const FILE_HEADERS = { 'content-type': 'application/octet-stream' };

// Half of each model's standard price (libs/providers/src/*/…prices.ts), summed by hand per model:
// gpt-4o-mini  (0.15 in, 0.075 cached, 0.6 out): 176·0.15 + 1024·0.075 + 300·0.6 + 800·0.15 + 200·0.6 = 523.2 µ$
// gpt-4.1      (2 in, 8 out):                    2000·2 + 500·8                                       = 8000 µ$
// sonnet-4-5   (3 in, 3.75 write, 0.3 read, 15):  1000·3 + 2000·3.75 + 4000·0.3 + 500·15              = 19200 µ$
// haiku-4-5    (1 in, 5 out):                     3000·1 + 1000·5                                     = 8000 µ$
const EXPECTED: Record<string, Partial<UsageRow>> = {
  'gpt-4o-mini-2024-07-18': { requests: 2, batchRequests: 2, tokensIn: 2000, tokensOut: 500, cacheReadTokens: 1024, costUsd: 0.0002616 },
  'gpt-4.1-2025-04-14': { requests: 1, batchRequests: 1, tokensIn: 2000, tokensOut: 500, costUsd: 0.004 },
  'claude-sonnet-4-5-20250929': {
    requests: 1,
    batchRequests: 1,
    tokensIn: 7000,
    tokensOut: 500,
    cacheReadTokens: 4000,
    cacheWriteTokens: 2000,
    costUsd: 0.0096,
  },
  'claude-haiku-4-5-20251001': { requests: 1, batchRequests: 1, tokensIn: 3000, tokensOut: 1000, costUsd: 0.004 },
};

describe.each(TEST_DIALECTS)('batch usage through the gateway on %s', (dialect) => {
  let h: GatewayHarness;
  let orgId: string;
  let key: string;
  let queries: TraceQueries;

  beforeAll(async () => {
    ({ h, orgId, key } = await startKeyedGateway(dialect));
    queries = createTraceQueries({ repos: h.runtime.repos });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const openai = () => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
  const anthropicResults = (batchId: string) =>
    fetch(`${h.url}/v1/messages/batches/${batchId}/results`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });

  async function usageByModel(): Promise<Map<string | null, UsageRow>> {
    await h.traces(orgId); // flushes the trace writer
    const report = await queries.usage(orgId, { groupBy: 'model' });
    if (!report.ok) throw report.error;
    return new Map(report.value.rows.map((row) => [row.group, row]));
  }

  async function fetchBoth(): Promise<void> {
    h.upstream.enqueue({ kind: 'raw', headers: FILE_HEADERS, body: OPENAI_OUTPUT });
    const content = await openai().files.content('file-batch-output-1');
    expect(Buffer.from(await content.arrayBuffer())).toEqual(OPENAI_OUTPUT);
    expect(h.upstream.lastRequest()?.path).toBe('/v1/files/file-batch-output-1/content');

    h.upstream.enqueue({ kind: 'raw', headers: FILE_HEADERS, body: ANTHROPIC_RESULTS });
    const res = await anthropicResults('msgbatch_01');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(ANTHROPIC_RESULTS);
    expect(h.upstream.lastRequest()?.path).toBe('/v1/messages/batches/msgbatch_01/results');
  }

  it('counts every result with usage by its own model at half price; the fetches themselves cost nothing', async () => {
    await fetchBoth();
    const rows = await usageByModel();
    for (const [model, { costUsd, ...expected }] of Object.entries(EXPECTED)) {
      const row = rows.get(model);
      expect(row).toMatchObject({ ...expected, costStatus: 'estimated', unknownCostRequests: 0 });
      expect(row?.costUsd).toBeCloseTo(costUsd ?? Number.NaN, 10);
    }
    // The two fetches: no model, no tokens, $0.
    expect(rows.get(null)).toMatchObject({ requests: 2, batchRequests: 0, tokensIn: 0, costUsd: 0, costStatus: 'exact' });

    const traces = await h.traces(orgId);
    expect(traces.map((t) => [t.provider, t.route, t.status, t.tokensIn, t.costUsd])).toEqual([
      ['anthropic', '/v1/messages/batches/msgbatch_01/results', 200, null, 0],
      ['openai', '/v1/files/file-batch-output-1/content', 200, null, 0],
    ]);

    const byProvider = await queries.summarize({ orgId, groupBy: ['provider'] });
    if (!byProvider.ok) throw byProvider.error;
    const providers = new Map(byProvider.value.rows.map((row) => [row.group[0] ?? null, row]));
    expect(providers.get('openai')).toMatchObject({ requests: 4, batchRequests: 3, tokensIn: 4000, failedRequests: 0 });
    expect(providers.get('openai')?.costUsd).toBeCloseTo(0.0042616, 10);
    expect(providers.get('anthropic')).toMatchObject({ requests: 3, batchRequests: 2, tokensIn: 10000 });
    expect(providers.get('anthropic')?.costUsd).toBeCloseTo(0.0136, 10);
    // Latency is averaged over the proxied requests only.
    expect(providers.get('openai')?.avgLatencyMs).toBeGreaterThan(0);

    const byKey = await queries.usage(orgId, { groupBy: 'key' });
    if (!byKey.ok) throw byKey.error;
    expect(byKey.value.rows).toHaveLength(1);
    expect(byKey.value.totals).toMatchObject({ requests: 7, batchRequests: 5, tokensIn: 14000, tokensOut: 2500 });
  });

  it('counts nothing twice when the same results are fetched again', async () => {
    await fetchBoth();
    const rows = await usageByModel();
    for (const [model, expected] of Object.entries(EXPECTED)) {
      expect(rows.get(model)).toMatchObject({ requests: expected.requests, tokensIn: expected.tokensIn });
    }
    expect(rows.get(null)).toMatchObject({ requests: 4, tokensIn: 0 });
  });

  it('passes a file that is no batch output through unchanged, adding no usage', async () => {
    h.upstream.enqueue({ kind: 'raw', headers: FILE_HEADERS, body: OPENAI_INPUT });
    const content = await openai().files.content('file-batch-input-1');
    expect(Buffer.from(await content.arrayBuffer())).toEqual(OPENAI_INPUT);
    const rows = await usageByModel();
    expect([...rows.values()].reduce((sum, row) => sum + row.batchRequests, 0)).toBe(5);
    expect(rows.get(null)).toMatchObject({ requests: 5, tokensIn: 0 });
  });

  it('streams large results without buffering: the client reads the first lines before the upstream has finished', async () => {
    const lines = ANTHROPIC_RESULTS.toString('utf8').trim().split('\n');
    const first = `${lines[0] ?? ''}\n`;
    const rest = lines
      .slice(1)
      .map((line) => line.replace(/"custom_id":"([^"]+)"/, '"custom_id":"$1-streamed"'))
      .join('\n');
    // Raw events are written as they are (no SSE framing); the content type keeps this a plain body.
    h.upstream.enqueue({ kind: 'sse', headers: FILE_HEADERS, events: [{ raw: first }, { raw: `${rest}\n`, delayMs: 1500 }] });
    const res = await anthropicResults('msgbatch_02');
    const reader = res.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const chunk = await reader.read();
    expect(Buffer.from(chunk.value ?? new Uint8Array()).toString('utf8')).toBe(first);
    expect(h.upstream.lastRequest()?.finished).toBe(false);
    let received = first;
    for (let next = await reader.read(); !next.done; next = await reader.read()) received += Buffer.from(next.value).toString('utf8');
    expect(received).toBe(`${first}${rest}\n`);

    // Its own results count: a different batch, so the same custom_ids are new.
    const rows = await usageByModel();
    expect(rows.get('claude-sonnet-4-5-20250929')).toMatchObject({ requests: 2, tokensIn: 14000 });
    expect(rows.get('claude-haiku-4-5-20251001')).toMatchObject({ requests: 2, tokensIn: 6000 });
  });
});
