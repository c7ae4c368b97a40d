import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DialectName } from '@navplane/storage';
import { startFakeUpstream, type FakeUpstream } from '@navplane/testing';
import { startServe } from './cli-process.fixture';
import { createCliSandbox, type CliSandbox } from './cli-sandbox.fixture';

/** Provider keys the fake upstream accepts: proves the gateway injected what `provider-key set` stored. */
export const SESSION_OPENAI_KEY = 'sk-session-openai-0123456789abcdef';
export const SESSION_ANTHROPIC_KEY = 'sk-ant-session-0123456789abcdef';

/** The lineage ids every session request carries (except `reset`). */
export const SESSION_LINEAGE = { group: 'grp-session', thread: 'thr-session', run: 'run-session' } as const;

/** The X-NavPlane-Tags the session's `child` and `failed` requests carry. */
export const SESSION_TAGS = ['team:search', 'v2'] as const;

/** A database filled by a real `navplane serve` session, with the ids of what it recorded. */
export interface ProxiedSession {
  readonly sandbox: CliSandbox;
  readonly orgId: string;
  readonly keyId: string;
  /** The NavPlane key (np_…) the session used. */
  readonly key: string;
  /** Trace ids: `first` (OpenAI, root), `child` (OpenAI, parent first), `anthropic` (parent first), `failed`
   * (upstream 500, parent child) and `reset` (upstream reset → 502, no lineage). */
  readonly traces: { first: string; child: string; anthropic: string; failed: string; reset: string };
  /** Every CLI run's stdout+stderr during set-up (for secret checks). */
  readonly cliOutput: string;
  cleanup(): Promise<void>;
}

/**
 * Starts a fake upstream and `navplane serve --only gateway` on a fresh `dialect` database, creates an org, a
 * key and both provider keys with the CLI, proxies five requests with lineage headers (one upstream 500, one
 * upstream reset), then stops the gateway (SIGTERM flushes the trace queue).
 */
export async function recordProxiedSession(dialect: DialectName): Promise<ProxiedSession> {
  const upstream: FakeUpstream = await startFakeUpstream({ acceptKeys: [SESSION_OPENAI_KEY, SESSION_ANTHROPIC_KEY] });
  const sandbox = await createCliSandbox(dialect, {
    NAVPLANE_OPENAI_BASE_URL: upstream.url,
    NAVPLANE_ANTHROPIC_BASE_URL: upstream.url,
  });
  let output = '';
  const json = async <T>(args: string[], stdin?: string): Promise<T> => {
    const run = await sandbox.run(args, { stdin });
    output += run.stdout + run.stderr;
    if (run.code !== 0) throw new Error(`navplane ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };
  try {
    const serve = await startServe(['serve', '--only', 'gateway'], { cwd: sandbox.cwd, env: sandbox.env, expect: ['gateway'] });
    try {
      const gateway = serve.urls['gateway'];
      if (gateway === undefined) throw new Error('serve --only gateway printed no gateway URL');
      const org = await json<{ id: string }>(['org', 'create', 'Session Org', '--format', 'json']);
      const issued = await json<{ key: string; id: string }>(['key', 'create', '--org', org.id, '--name', 'session', '--format', 'json']);
      await json(['provider-key', 'set', 'openai', '--org', org.id, '--format', 'json'], `${SESSION_OPENAI_KEY}\n`);
      const keyFile = join(sandbox.cwd, 'anthropic.key');
      await writeFile(keyFile, `${SESSION_ANTHROPIC_KEY}\n`, { mode: 0o600 });
      await json(['provider-key', 'set', 'anthropic', '--org', org.id, '--from-file', keyFile, '--format', 'json']);

      const lineage = {
        'x-navplane-trace-group': SESSION_LINEAGE.group,
        'x-navplane-thread': SESSION_LINEAGE.thread,
        'x-navplane-run': SESSION_LINEAGE.run,
      };
      const send = async (path: string, body: object, headers: Record<string, string>, expected: number) => {
        const response = await fetch(`${gateway}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        await response.arrayBuffer();
        if (response.status !== expected) throw new Error(`${path} answered ${response.status}, expected ${expected}`);
        const traceId = response.headers.get('x-navplane-trace-id');
        if (traceId === null) throw new Error(`${path}: no X-NavPlane-Trace-Id`);
        return traceId;
      };
      const bearer = { authorization: `Bearer ${issued.key}` };
      const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hello there' }] });
      const first = await send('/v1/chat/completions', chat('gpt-4o-mini'), { ...bearer, ...lineage }, 200);
      // Tagged (X-NavPlane-Tags): the child and the failed request.
      const tags = { 'x-navplane-tags': SESSION_TAGS.join(',') };
      const child = await send(
        '/v1/chat/completions',
        chat('gpt-4o'),
        { ...bearer, ...lineage, ...tags, 'x-navplane-parent-trace': first },
        200,
      );
      const anthropic = await send(
        '/v1/messages',
        { model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }] },
        { 'x-api-key': issued.key, 'anthropic-version': '2023-06-01', ...lineage, 'x-navplane-parent-trace': first },
        200,
      );
      upstream.enqueue({ kind: 'error', status: 500 });
      const failed = await send(
        '/v1/chat/completions',
        chat('gpt-4o'),
        { ...bearer, ...lineage, ...tags, 'x-navplane-parent-trace': child },
        500,
      );
      upstream.enqueue({ kind: 'reset' });
      const reset = await send('/v1/chat/completions', chat('gpt-4o-mini'), bearer, 502);

      const code = await serve.stop('SIGTERM');
      if (code !== 0) throw new Error(`serve exited ${code}: ${serve.stderr()}`);
      return {
        sandbox,
        orgId: org.id,
        keyId: issued.id,
        key: issued.key,
        traces: { first, child, anthropic, failed, reset },
        cliOutput: output,
        async cleanup() {
          await upstream.close();
          await sandbox.cleanup();
        },
      };
    } finally {
      await serve.stop('SIGKILL');
    }
  } catch (error) {
    await upstream.close();
    await sandbox.cleanup();
    throw error;
  }
}
