// `npm run demo`: NavPlane end to end with no provider key and nothing to set up. It starts a fake OpenAI/Anthropic
// upstream (@navplane/testing) and `navplane serve` (gateway and admin API, SQLite in a temporary directory), then
// drives them the way a team would — the admin API for set-up, the official `openai` and `@anthropic-ai/sdk` SDKs
// for traffic — and prints what happened. The output is deterministic (no ids, ports, times or hashes), so a test
// compares it with tools/demo/expected-output.txt. Everything it started is stopped and removed before it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@navplane/testing';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'apps/cli/dist/main.js');
const OPENAI_KEY = 'sk-demo-openai-0000000000000000';
const ANTHROPIC_KEY = 'sk-ant-demo-00000000000000000000';

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (title: string) => say(`\n== ${title}`);

interface Serve {
  readonly child: ChildProcess;
  readonly gateway: string;
  readonly admin: string;
}

/** `navplane serve` on free ports; resolves with both URLs once both listen (read from its JSON log lines). */
function startServe(env: NodeJS.ProcessEnv): Promise<Serve> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    const urls: Record<string, string> = {};
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`navplane serve did not start: ${stderr.slice(0, 2000)}`));
    }, 30_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as { server?: unknown; url?: unknown };
          if (typeof entry.server === 'string' && typeof entry.url === 'string') urls[entry.server] = entry.url;
        } catch {
          // not a JSON log line
        }
      }
      const { gateway, admin } = urls;
      if (gateway !== undefined && admin !== undefined) {
        clearTimeout(timer);
        resolvePromise({ child, gateway, admin });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`navplane serve exited with ${String(code)} before listening: ${stderr.slice(0, 2000)}`));
    });
  });
}

/** SIGTERM, then waits for the exit (SIGKILL after 10 s): nothing is left running. */
function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** One admin API call as JSON; throws with the contract's error message on a non-2xx answer. */
async function admin<T>(serve: Serve, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serve.admin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The status and error code a call through the gateway got (the SDKs throw APIError on non-2xx). */
function outcome(error: unknown): string {
  const e = error as { status?: number; code?: string | null; error?: { error?: { code?: string } } };
  return `${e.status ?? '?'} ${e.code ?? e.error?.error?.code ?? ''}`.trim();
}

/** `[EMAIL:1a2b3c4d]` → `[EMAIL:…]`: placeholder hashes are salted per org, so they differ from run to run. */
const unsalted = (text: string) => text.replace(/\[([A-Z_]+):[0-9a-f]{8}\]/g, '[$1:…]');

interface TraceRow {
  provider: string;
  model: string | null;
  route: string;
  status: number;
  tokensIn: number | null;
  tokensOut: number | null;
  costUsd: number | null;
  stream: boolean;
  errorClass: string | null;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'navplane-demo-'));
  let upstream: FakeUpstream | undefined;
  let serve: Serve | undefined;
  try {
    step('1. A fake OpenAI + Anthropic upstream, and NavPlane in front of it');
    upstream = await startFakeUpstream({ acceptKeys: [OPENAI_KEY, ANTHROPIC_KEY] });
    const adminToken = randomBytes(24).toString('base64url');
    serve = await startServe({
      PATH: process.env['PATH'],
      NAVPLANE_HOST: '127.0.0.1',
      NAVPLANE_GATEWAY_PORT: '0',
      NAVPLANE_ADMIN_PORT: '0',
      NAVPLANE_DATABASE_URL: `sqlite://${join(dir, 'navplane.db')}`,
      NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
      NAVPLANE_ADMIN_TOKEN: adminToken,
      NAVPLANE_OPENAI_BASE_URL: upstream.url,
      NAVPLANE_ANTHROPIC_BASE_URL: upstream.url,
      NAVPLANE_CAPTURE_BODIES: 'true',
      NAVPLANE_TRACE_FLUSH_MS: '20',
      NAVPLANE_CHANGE_FEED_POLL_MS: '50',
      NAVPLANE_LOG_LEVEL: 'info', // the 'listening' lines give the ports; the log is not shown
    });
    const live = serve;
    say('navplane serve is up: the gateway and the admin API, on SQLite in a temporary directory');

    step('2. Set-up through the admin API');
    const org = await admin<{ id: string; name: string }>(live, adminToken, 'POST', '/admin/orgs', { name: 'acme' });
    say(`org "${org.name}" created`);
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/provider-keys/openai`, { key: OPENAI_KEY });
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/provider-keys/anthropic`, { key: ANTHROPIC_KEY });
    say('OpenAI and Anthropic keys stored in the vault (encrypted; the API shows only their last 4 characters)');
    const created = await admin<{ id: string; key: string }>(live, adminToken, 'POST', `/admin/orgs/${org.id}/keys`, { name: 'demo-app' });
    say(`NavPlane key issued for "demo-app": ${created.key.slice(0, 3)}… (shown once; clients use it instead of a provider key)`);

    step('3. The official SDKs, with only the base URL and the key changed');
    const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${live.gateway}/v1`, maxRetries: 0 });
    const chat = await openai(created.key).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    say(`openai chat.completions: "${chat.choices[0]?.message.content ?? ''}" (${chat.usage?.total_tokens ?? 0} tokens)`);
    const seen = upstream.lastRequest();
    const auth = String(seen?.headers['authorization'] ?? '');
    say(
      `the provider saw Authorization: ${auth.slice(0, 14)}… (the vault's key), no NavPlane key: ${String(!JSON.stringify(seen?.headers).includes('np_'))}`,
    );

    const stream = await openai(created.key).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count to three' }],
      stream: true,
    });
    let streamed = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    say(`openai streaming: ${chunks} chunks, "${streamed}"`);

    const anthropic = new Anthropic({ apiKey: created.key, baseURL: live.gateway, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    say(`anthropic messages: "${text}" (${message.usage.input_tokens} in, ${message.usage.output_tokens} out)`);

    step('4. A redaction policy: personal data never reaches the provider');
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/policies`, {
      policies: [{ scope: { type: 'org' }, mode: 'redact_upstream' }],
    });
    say('policy set: redact_upstream for the whole org');
    await settle();
    await openai(created.key).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Email jane.doe@example.com about the invoice' }],
    });
    const redacted = (upstream.lastRequest()?.json as { messages?: Array<{ content?: string }> } | undefined)?.messages?.[0]?.content ?? '';
    say(`the client sent:    "Email jane.doe@example.com about the invoice"`);
    say(`the provider got:   "${unsalted(redacted)}"`);
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/policies`, { policies: [] });
    await settle();

    step('5. Key rotation with a grace period');
    const rotated = await admin<{ key: string }>(live, adminToken, 'POST', `/admin/orgs/${org.id}/keys/${created.id}/rotate`, {
      graceSeconds: 3600,
    });
    const ping = (apiKey: string) =>
      openai(apiKey)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] })
        .then(
          () => '200 ok',
          (error: unknown) => outcome(error),
        );
    say(`new key: ${await ping(rotated.key)}; old key during its grace hour: ${await ping(created.key)}`);
    await admin(live, adminToken, 'DELETE', `/admin/orgs/${org.id}/keys/${created.id}`);
    await settle();
    say(`old key revoked: ${await ping(created.key)}`);

    step('6. The kill switch');
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/enabled`, { enabled: false });
    await settle();
    say(`org switched off: ${await ping(rotated.key)}`);
    await admin(live, adminToken, 'PUT', `/admin/orgs/${org.id}/enabled`, { enabled: true });
    await settle();
    say(`org switched on:  ${await ping(rotated.key)}`);

    step('7. Every request is a trace (tokens, cost, status), newest last');
    await settle();
    const traces = (await admin<{ data: TraceRow[] }>(live, adminToken, 'GET', `/admin/orgs/${org.id}/requests?limit=50`)).data;
    say('provider   model                     route                  status  stream  tokens in/out  cost (USD)  error');
    for (const t of [...traces].reverse()) {
      const cost = t.costUsd === null ? 'unknown' : t.costUsd.toFixed(7);
      const tokens = t.tokensIn === null ? '-' : `${t.tokensIn}/${t.tokensOut ?? 0}`;
      say(
        `${t.provider.padEnd(10)} ${(t.model ?? '-').padEnd(25)} ${t.route.padEnd(22)} ${String(t.status).padEnd(7)} ${String(t.stream).padEnd(7)} ${tokens.padEnd(14)} ${cost.padEnd(11)} ${t.errorClass ?? ''}`.trimEnd(),
      );
    }
    const usage = await admin<{ totals: { requests: number; tokensIn: number; tokensOut: number; costUsd: number | null } }>(
      live,
      adminToken,
      'GET',
      `/admin/orgs/${org.id}/usage?groupBy=model`,
    );
    say(
      `usage: ${usage.totals.requests} requests, ${usage.totals.tokensIn} tokens in, ${usage.totals.tokensOut} out, $${(usage.totals.costUsd ?? 0).toFixed(7)}`,
    );
    say('\nMore: README.md (your own providers), docs/gateway.md, docs/admin-api.md, docs/cli.md');
  } finally {
    if (serve !== undefined) await stopServe(serve.child);
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Waits for an admin change to reach the gateway and for queued traces to be written: both are asynchronous (the
 * contract's bound is 1 s; in one process, with the 50 ms change-feed poll and the 20 ms trace flush of this demo,
 * 400 ms is ample). A fixed wait, not a poll, so the demo sends the same requests, and prints the same lines, every run.
 */
function settle(): Promise<void> {
  return new Promise((resolveWait) => setTimeout(resolveWait, 400));
}

const started = performance.now();
main().then(
  () => process.stderr.write(`(demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s; nothing left running)\n`),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
