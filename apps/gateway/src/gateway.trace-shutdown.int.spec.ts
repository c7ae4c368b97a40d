import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { createGatewayKeyService } from '@navplane/auth';
import { newId, toIso } from '@navplane/core';
import { createChangeFeed, createRepositories } from '@navplane/storage';
import {
  createTestDatabase,
  openaiChatCompletion,
  startFakeUpstream,
  TEST_DIALECTS,
  type FakeUpstream,
  type TestDatabase,
} from '@navplane/testing';
import { createKeyring, createVault } from '@navplane/vault';
import { OPENAI_TEST_KEY } from './testing/gateway-harness.fixture';

jest.setTimeout(90_000);

/** The built CLI, run as users run it (`npm test` builds first). */
const CLI_MAIN = resolve(__dirname, '../../cli/dist/main.js');

/** A long-running `navplane serve --only gateway` and its JSON log lines. */
interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  lines: string[];
  exited: Promise<number | null>;
}

function serveGateway(env: Record<string, string>): Promise<Served> {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\``);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NAVPLANE_')));
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--only', 'gateway'], {
    env: { ...inherited, NODE_ENV: 'test', NAVPLANE_GATEWAY_PORT: '0', NAVPLANE_LOG_LEVEL: 'info', ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start; stderr: ${stderr}`)), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        const parsed = parseLine(line);
        if (parsed?.['server'] === 'gateway' && typeof parsed['url'] === 'string') {
          clearTimeout(timer);
          resolvePromise({ child, url: parsed['url'], lines, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Seeds an org, a NavPlane key and the org's OpenAI key; returns the NavPlane key. */
async function seed(testDb: TestDatabase, masterKey: Buffer): Promise<{ orgId: string; key: string }> {
  const repos = createRepositories(testDb.database);
  const changeFeed = createChangeFeed(testDb.database, { pollIntervalMs: 50 });
  try {
    const orgId = newId('org');
    await repos.orgs.create({ id: orgId, name: 'shutdown', createdAt: toIso(Date.now()) });
    const vault = createVault({ keyring: createKeyring({ current: masterKey }), providerKeys: repos.providerKeys, changeFeed });
    await vault.storeProviderKey({ orgId, provider: 'openai', key: OPENAI_TEST_KEY });
    vault.close();
    const issued = await createGatewayKeyService({ repos, changeFeed }).issue({ orgId, name: 'shutdown' });
    if (!issued.ok) throw issued.error;
    return { orgId, key: issued.value.key };
  } finally {
    await changeFeed.close();
  }
}

describe.each(TEST_DIALECTS)('SIGTERM under load on %s', (dialect) => {
  let testDb: TestDatabase;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    upstream = await startFakeUpstream({ record: false });
    // Each answer takes a little while, so requests are in flight when the signal arrives.
    upstream.setDefault(() => ({ kind: 'delay', ms: 30, then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini' }) } }));
  });
  afterAll(async () => {
    await upstream.close();
    await testDb.drop();
  });

  it('finishes in-flight requests, flushes the queue, exits 0, and the counts add up', async () => {
    const masterKey = randomBytes(32);
    const { orgId, key } = await seed(testDb, masterKey);
    const served = await serveGateway({
      NAVPLANE_DATABASE_URL: testDb.url,
      NAVPLANE_MASTER_KEY: masterKey.toString('base64'),
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_ANTHROPIC_BASE_URL: upstream.url,
      // Nothing is written before shutdown: the whole queue must be flushed by SIGTERM.
      NAVPLANE_TRACE_FLUSH_MS: '60000',
      NAVPLANE_TRACE_BATCH_SIZE: '10000',
      NAVPLANE_TRACE_QUEUE_SIZE: '100000',
    });

    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const post = () =>
      new Promise<number | 'error'>((done) => {
        const req = request(`${served.url}/v1/chat/completions`, {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', () => done('error'));
        });
        req.on('error', () => done('error'));
        req.end(body);
      });

    // 16 clients send back to back until the gateway stops answering; SIGTERM goes out mid-load.
    const statuses: Array<number | 'error'> = [];
    let stopped = false;
    const clients = Array.from({ length: 16 }, async () => {
      while (!stopped) {
        const status = await post();
        statuses.push(status);
        if (status === 'error') return;
      }
    });
    while (statuses.filter((s) => s === 200).length < 200) await new Promise((r) => setTimeout(r, 5));
    served.child.kill('SIGTERM');
    const code = await served.exited;
    stopped = true;
    await Promise.all(clients);
    agent.destroy();

    expect(code).toBe(0);
    const answered = statuses.filter((s) => s !== 'error');
    expect(answered.every((s) => s === 200)).toBe(true);

    const flushedLine = served.lines.map(parseLine).find((line) => line?.['message'] === 'trace queue flushed');
    expect(flushedLine).toBeDefined();
    const flushed = flushedLine as { written: number; dropped: number };
    const rows = await createRepositories(testDb.database).traces.listByOrg(orgId, { limit: 1000 });
    expect(flushed.dropped).toBe(0);
    expect(flushed.written).toBe(rows.length); // the whole queue was written at shutdown
    expect(rows.length + flushed.dropped).toBe(answered.length); // one trace per answered request
    expect(served.lines.map(parseLine).some((line) => line?.['message'] === 'shutdown complete')).toBe(true);
  });
});
