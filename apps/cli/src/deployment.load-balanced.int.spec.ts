import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  openaiChatCompletion,
  openaiChatStream,
  startFakeUpstream,
  TEST_DIALECTS,
  type FakeUpstream,
  type TestDatabase,
} from '@navplane/testing';
import { adminApiCaller, startServe, type ServeProcess } from './testing/cli-process.fixture';
import { findNginx, freePort, startNginx, type AccessLogEntry, type RunningNginx } from './testing/nginx.fixture';

// The team deployment of docs/operations.md ("Load-balanced deployment"): nginx (Debian's package) with
// docker/nginx/navplane.conf in front of two `navplane serve --only gateway` processes, one `--only admin`
// process, all on one Postgres database. Real processes, real nginx, a fake OpenAI upstream.
jest.setTimeout(120_000);

const ADMIN_TOKEN = 'bootstrap-admin-token-for-lb-tests-0123';
/** The contract's bound (§4): a mutation holds on every gateway within 1 s of the admin call's return. */
const PROPAGATION_BOUND_MS = 1000;
/** nginx's passive health check (docker/nginx/navplane.conf): a gateway that refused a connection rests this long. */
const FAIL_TIMEOUT_MS = 5000;

const onPostgres = TEST_DIALECTS.includes('postgres');
if (!onPostgres) {
  process.stderr.write('[navplane] NAVPLANE_TEST_POSTGRES_URL is not set: the load-balanced deployment test (Postgres only) is skipped\n');
}

/** What one request of the load got. */
interface Outcome {
  readonly startedAt: number;
  readonly stream: boolean;
  /** The HTTP status, when any answer arrived (nginx's own or a gateway's). */
  status?: number;
  /** `X-NavPlane-Trace-Id`: present exactly when a gateway answered. */
  traceId?: string;
  /** The whole body arrived (a stream: up to `data: [DONE]`). */
  complete: boolean;
  /** When the body ended or broke off. */
  endedAt?: number;
  error?: string;
}

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/**
 * One chat completion through `baseUrl`, plain or streamed, on a connection of its own (`Connection: close`); never
 * throws. Own connections keep the hop from the test to nginx out of the picture: an idle keep-alive connection that
 * nginx closes (a reload's old worker does) can meet a request written at that instant, whatever the gateways do.
 */
async function chat(baseUrl: string, key: string, stream: boolean): Promise<Outcome> {
  const outcome: Outcome = { startedAt: Date.now(), stream, complete: false };
  const body = JSON.stringify(stream ? { ...CHAT, stream: true, stream_options: { include_usage: true } } : CHAT);
  await new Promise<void>((done) => {
    const req = httpRequest(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      timeout: 30_000,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      outcome.status = res.statusCode;
      const traceId = res.headers['x-navplane-trace-id'];
      outcome.traceId = typeof traceId === 'string' ? traceId : undefined;
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        outcome.complete = stream ? text.includes('data: [DONE]') : text.startsWith('{');
        done();
      });
      res.on('error', (error) => {
        outcome.error = String(error);
        done();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => {
      outcome.error = String(error);
      done();
    });
    req.end(body);
  });
  outcome.endedAt = Date.now();
  return outcome;
}

/** A steady stream of requests through nginx: one every `intervalMs`, every third one streamed. */
function startLoad(baseUrl: string, key: string, intervalMs = 12): { outcomes: Outcome[]; stop(): Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const timer = setInterval(() => {
    sent += 1;
    const request = chat(baseUrl, key, sent % 3 === 0).then((outcome) => {
      outcomes.push(outcome);
    });
    pending.add(request);
    void request.finally(() => pending.delete(request));
  }, intervalMs);
  return {
    outcomes,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return outcomes;
    },
  };
}

/** The `host:port` that finally answered a request nginx logged (`a, b` when it moved on from a to b). */
function answeredBy(entry: AccessLogEntry): string {
  return entry.upstream.split(',').pop()?.trim() ?? '';
}

/** The sum of every `name{…} value` sample on a Prometheus page. */
function metricSum(page: string, name: string): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match?.[1] !== undefined) sum += Number(match[1]);
  }
  return sum;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

(onPostgres ? describe : describe.skip)('load-balanced deployment on postgres: nginx, two gateways, one admin API', () => {
  let testDb: TestDatabase;
  let upstream: FakeUpstream;
  let cwd: string;
  let env: Record<string, string>;
  let admin: ServeProcess;
  /** The two gateway slots: fixed ports (nginx's upstream list), the process in each replaced on restart. */
  const slots: Array<{ address: string; port: number; process: ServeProcess }> = [];
  let nginx: RunningNginx;
  let orgId: string;
  let key: string;
  const everyProcess: ServeProcess[] = [];

  const adminCall = adminApiCaller(() => admin, ADMIN_TOKEN);

  const startGateway = async (port: number): Promise<ServeProcess> => {
    const gateway = await startServe(['serve', '--only', 'gateway'], {
      cwd,
      env: { ...env, NAVPLANE_GATEWAY_PORT: String(port) },
      expect: ['gateway'],
      timeoutMs: 30_000,
    });
    everyProcess.push(gateway);
    return gateway;
  };

  /** Trace ids of `ids` that are stored. */
  const storedTraceIds = async (ids: readonly string[]): Promise<Set<string>> => {
    const stored = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await testDb.database.db
        .selectFrom('traces')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) stored.add(row.id);
    }
    return stored;
  };

  /** `navplane_traces_dropped` (every reason) on a running gateway. */
  const droppedOn = async (gateway: ServeProcess): Promise<number> =>
    metricSum(await (await fetch(`${gateway.urls['gateway']}/metrics`)).text(), 'navplane_traces_dropped');

  /**
   * Waits (at most 3 s) until nginx's access log names every trace in `traceIds`: nginx writes a request's line just
   * after its last byte went out, so a client can finish a moment before its line is there.
   */
  const waitLogged = async (traceIds: readonly string[]): Promise<void> => {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const logged = new Set((await nginx.accessLog()).map((entry) => entry.trace_id));
      if (traceIds.every((id) => logged.has(id))) return;
      await sleep(50);
    }
  };

  /** Waits until nginx has sent a request to `address` that it answered, after access-log line `fromLine`. */
  const waitInRotation = async (address: string, fromLine: number, sendOwn: boolean): Promise<void> => {
    const deadline = Date.now() + FAIL_TIMEOUT_MS + 15_000;
    while (Date.now() < deadline) {
      if (sendOwn) await chat(nginx.url, key, false);
      const entries = (await nginx.accessLog()).slice(fromLine);
      if (entries.some((entry) => answeredBy(entry) === address && entry.status === 200)) return;
      await sleep(100);
    }
    throw new Error(`nginx did not send requests to ${address} again`);
  };

  /** Waits until the last 20 requests nginx logged after line `fromLine` were all answered by `address`. */
  const waitOnlyTo = async (address: string, fromLine: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const entries = (await nginx.accessLog()).slice(fromLine);
      if (entries.length >= 20 && entries.slice(-20).every((entry) => answeredBy(entry) === address)) return;
      await sleep(50);
    }
    throw new Error(`nginx still sends requests elsewhere than ${address}`);
  };

  beforeAll(async () => {
    const nginxBinary = findNginx();
    if (nginxBinary === undefined) {
      throw new Error('nginx is not installed: `apt-get install -y nginx` (Debian package; .ci/run installs it)');
    }
    testDb = await createTestDatabase('postgres');
    upstream = await startFakeUpstream({ record: false });
    // Plain answers take a little while and streams about 200 ms, so requests are in flight when a gateway stops.
    upstream.setDefault((request) => {
      const streamed = (request.json as { stream?: boolean } | undefined)?.stream === true;
      return streamed
        ? { kind: 'sse', events: openaiChatStream({ delayMs: 40, includeUsage: true }) }
        : { kind: 'delay', ms: 30, then: { kind: 'json', body: openaiChatCompletion({ model: 'gpt-4o-mini' }) } };
    });
    cwd = await mkdtemp(join(tmpdir(), 'navplane-lb-'));
    env = {
      NAVPLANE_DATABASE_URL: testDb.url,
      NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
      NAVPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_ANTHROPIC_BASE_URL: upstream.url,
      NAVPLANE_TRUST_PROXY: 'loopback',
    };
    admin = await startServe(['serve', '--only', 'admin'], { cwd, env, expect: ['admin'], timeoutMs: 30_000 });
    everyProcess.push(admin);
    for (const port of [await freePort(), await freePort()]) {
      slots.push({ address: `127.0.0.1:${port}`, port, process: await startGateway(port) });
    }
    const [first, second] = slots;
    if (first === undefined || second === undefined) throw new Error('two gateway slots expected');
    nginx = await startNginx(nginxBinary, [first.address, second.address]);

    ({ id: orgId } = await adminCall<{ id: string }>('POST', '/admin/orgs', { name: 'lb' }));
    await adminCall('PUT', `/admin/orgs/${orgId}/provider-keys/openai`, { key: 'sk-test-loadbalanced-0123456789' });
    ({ key } = await adminCall<{ key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name: 'load' }));
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(everyProcess.map((p) => p.stop('SIGKILL')));
    await upstream?.close();
    await testDb?.drop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('nginx spreads requests over both gateways', async () => {
    const before = (await nginx.accessLog()).length;
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(nginx.url, key, i % 2 === 0)));
    expect(outcomes.map((o) => [o.status, o.complete])).toEqual(outcomes.map(() => [200, true]));
    const answered = new Set((await nginx.accessLog()).slice(before).map(answeredBy));
    expect([...answered].sort()).toEqual(slots.map((slot) => slot.address).sort());
  });

  it('the kill switch holds on both gateways, directly and through nginx, within 1 s, and lifts again', async () => {
    const targets = { 'gateway 1': slots[0]?.process.urls['gateway'], 'gateway 2': slots[1]?.process.urls['gateway'], nginx: nginx.url };
    /** Polls every target every 25 ms until `done(status, code)`; the ms from `since` to the first hit on each. */
    const whenEach = async (since: number, k: string, done: (status: number, code?: string) => boolean) =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(targets).map(async ([name, url]) => {
            while (Date.now() - since < 5000) {
              const res = await fetch(`${url}/v1/chat/completions`, {
                method: 'POST',
                headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
                body: JSON.stringify(CHAT),
              });
              const body = (await res.json()) as { error?: { code?: string } };
              if (done(res.status, body.error?.code)) return [name, Date.now() - since] as const;
              await sleep(25);
            }
            return [name, Infinity] as const;
          }),
        ),
      );
    const withinBound = (elapsed: Record<string, number>) =>
      Object.fromEntries(Object.entries(elapsed).map(([name, ms]) => [name, ms < PROPAGATION_BOUND_MS]));
    const allTrue = Object.fromEntries(Object.keys(targets).map((name) => [name, true]));

    await adminCall('PUT', `/admin/orgs/${orgId}/enabled`, { enabled: false });
    const refused = await whenEach(Date.now(), key, (status, code) => status === 403 && code === 'org_disabled');
    expect(withinBound(refused)).toEqual(allTrue);
    // nginx alternates between the gateways: every one of these reached one of them, and all were refused.
    const through = await Promise.all(Array.from({ length: 10 }, () => chat(nginx.url, key, false)));
    expect(through.map((o) => o.status)).toEqual(through.map(() => 403));

    await adminCall('PUT', `/admin/orgs/${orgId}/enabled`, { enabled: true });
    const served = await whenEach(Date.now(), key, (status) => status === 200);
    expect(withinBound(served)).toEqual(allTrue);

    // Key revocation: a second key of the org, revoked through the admin API.
    const second = await adminCall<{ id: string; key: string }>('POST', `/admin/orgs/${orgId}/keys`, { name: 'revoked' });
    expect((await whenEach(Date.now(), second.key, (status) => status === 200)).nginx).toBeLessThan(Infinity);
    await adminCall('DELETE', `/admin/orgs/${orgId}/keys/${second.id}`);
    const revoked = await whenEach(Date.now(), second.key, (status, code) => status === 401 && code === 'invalid_api_key');
    expect(withinBound(revoked)).toEqual(allTrue);
    const afterRevocation = await Promise.all(Array.from({ length: 10 }, () => chat(nginx.url, second.key, false)));
    expect(afterRevocation.map((o) => o.status)).toEqual(afterRevocation.map(() => 401));
  });

  it('a routing table set through the admin API serves requests on both gateways within 1 s', async () => {
    const gateways = { 'gateway 1': slots[0]?.process.urls['gateway'], 'gateway 2': slots[1]?.process.urls['gateway'] };
    const routedWithin = async (since: number) =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(gateways).map(async ([name, url]) => {
            while (Date.now() - since < 5000) {
              const res = await fetch(`${url}/v1/chat/completions`, {
                method: 'POST',
                headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
                body: JSON.stringify({ ...CHAT, model: 'lb-smart' }),
              });
              await res.arrayBuffer();
              if (res.status === 200 && res.headers.get('x-navplane-upstream') === 'openai/gpt-4o-mini') {
                return [name, Date.now() - since < PROPAGATION_BOUND_MS] as const;
              }
              await sleep(25);
            }
            return [name, false] as const;
          }),
        ),
      );
    await adminCall('PUT', `/admin/orgs/${orgId}/routes`, {
      routes: [{ model: 'lb-smart', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }],
    });
    expect(await routedWithin(Date.now())).toEqual({ 'gateway 1': true, 'gateway 2': true });
    await adminCall('PUT', `/admin/orgs/${orgId}/routes`, { routes: [] });
  });

  it('a SIGKILLed gateway: nginx moves new requests to the other, and answered requests are traced', async () => {
    const [survivor, victim] = slots;
    if (survivor === undefined || victim === undefined) throw new Error('two gateway slots expected');
    const logStart = (await nginx.accessLog()).length;
    const load = startLoad(nginx.url, key);
    await sleep(1500);
    const killedAt = Date.now();
    expect(await victim.process.stop('SIGKILL')).toBeNull();
    const goneAt = Date.now();
    await sleep(2500);
    const outcomes = await load.stop();
    await waitLogged(outcomes.flatMap((o) => (o.traceId === undefined ? [] : [o.traceId])));

    const byTrace = new Map(
      (await nginx.accessLog())
        .slice(logStart)
        .filter((entry) => entry.trace_id !== '')
        .map((entry) => [entry.trace_id, answeredBy(entry)]),
    );
    const answered = outcomes.filter((o): o is Outcome & { traceId: string } => o.traceId !== undefined);
    // Every answer a client got from a gateway is in nginx's log under that gateway.
    expect(answered.filter((o) => !byTrace.has(o.traceId))).toEqual([]);
    const bySurvivor = answered.filter((o) => byTrace.get(o.traceId) === survivor.address);
    const byVictim = answered.filter((o) => byTrace.get(o.traceId) === victim.address);
    expect(bySurvivor.length + byVictim.length).toBe(answered.length);
    expect(byVictim.length).toBeGreaterThan(0);

    // Requests sent once the victim was gone went to the survivor, whole (a refused connection is retried).
    const afterKill = outcomes.filter((o) => o.startedAt >= goneAt);
    expect(afterKill.length).toBeGreaterThan(100);
    expect(afterKill.filter((o) => !(o.status === 200 && o.complete && byTrace.get(o.traceId ?? '') === survivor.address))).toEqual([]);
    // Only requests the victim held when it died failed (nginx 502, or a stream cut off): a sent POST is not retried.
    const failed = outcomes.filter((o) => !(o.status === 200 && o.complete));
    expect(failed.filter((o) => o.startedAt >= goneAt)).toEqual([]);

    // The survivor: every request it answered has its trace written, or dropped and counted.
    const survivorIds = bySurvivor.map((o) => o.traceId);
    let written = 0;
    let dropped = 0;
    const deadline = Date.now() + 15_000;
    do {
      await sleep(200);
      written = (await storedTraceIds(survivorIds)).size;
      dropped = await droppedOn(survivor.process);
    } while (written + dropped < survivorIds.length && Date.now() < deadline);
    expect(written + dropped).toBe(survivorIds.length);

    // The victim: its queue died with it. Requests that ended at least 1 s before the kill (10 flush intervals of
    // NAVPLANE_TRACE_FLUSH_MS, 100 ms) are all stored; later ones may be lost.
    const victimStored = await storedTraceIds(byVictim.map((o) => o.traceId));
    const lostEarly = byVictim.filter((o) => !victimStored.has(o.traceId) && (o.endedAt ?? Infinity) < killedAt - 1000);
    expect(lostEarly).toEqual([]);
    const lost = byVictim.length - victimStored.size;
    const inLastSecond = byVictim.filter((o) => (o.endedAt ?? Infinity) >= killedAt - 1000).length;
    expect(lost).toBeLessThanOrEqual(inLastSecond);

    // Back to two gateways for the rolling restart: the victim's slot gets a new process on the same port.
    const logMark = (await nginx.accessLog()).length;
    victim.process = await startGateway(victim.port);
    await waitInRotation(victim.address, logMark, true);
  });

  it('a rolling restart (out of nginx, SIGTERM, start again, back in; then the other) under load fails no request, and traces all', async () => {
    const logStart = (await nginx.accessLog()).length;
    const load = startLoad(nginx.url, key);
    await sleep(1000);
    const flushed: Array<{ written: number; dropped: number }> = [];
    for (const [index, slot] of slots.entries()) {
      const other = slots[1 - index];
      if (other === undefined) throw new Error('two gateway slots expected');
      // nginx first: once its new workers send everything to the other gateway, this one only finishes what it holds.
      const outMark = (await nginx.accessLog()).length;
      await nginx.setDown(index === 0 ? 0 : 1, true);
      await waitOnlyTo(other.address, outMark);
      const old = slot.process;
      expect(await old.stop('SIGTERM')).toBe(0);
      const line = old.lines
        .map((l) => {
          try {
            return JSON.parse(l) as { message?: string; written?: number; dropped?: number };
          } catch {
            return undefined;
          }
        })
        .find((entry) => entry?.message === 'trace queue flushed');
      flushed.push({ written: line?.written ?? -1, dropped: line?.dropped ?? -1 });
      slot.process = await startGateway(slot.port);
      const inMark = (await nginx.accessLog()).length;
      await nginx.setDown(index === 0 ? 0 : 1, false);
      await waitInRotation(slot.address, inMark, false);
    }
    await sleep(1000);
    const outcomes = await load.stop();

    // Not one request failed: every one got a 200 and its whole body; nginx answered none itself. (How many were sent
    // depends on how fast the processes restart; a few hundred at the load's ~80 req/s.)
    expect(outcomes.length).toBeGreaterThan(200);
    expect(outcomes.filter((o) => !(o.status === 200 && o.complete && o.traceId !== undefined))).toEqual([]);
    const entries = (await nginx.accessLog()).slice(logStart);
    expect(entries.filter((entry) => entry.status >= 500)).toEqual([]);
    expect(flushed.every((f) => f.written >= 0 && f.dropped >= 0)).toBe(true);

    // Every answered request has its trace: the stopped gateways flushed their queues, the new ones write theirs.
    const ids = outcomes.map((o) => o.traceId ?? '');
    const droppedAtShutdown = flushed.reduce((sum, f) => sum + f.dropped, 0);
    let written = 0;
    let dropped = 0;
    const deadline = Date.now() + 15_000;
    do {
      await sleep(200);
      written = (await storedTraceIds(ids)).size;
      dropped = droppedAtShutdown;
      for (const slot of slots) dropped += await droppedOn(slot.process);
    } while (written + dropped < ids.length && Date.now() < deadline);
    expect(written + dropped).toBe(ids.length);
  });
});
