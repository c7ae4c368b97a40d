// Child processes and database set-up shared by the bench entry points (`run.ts`, `writer-bench.ts`).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createGatewayKeyService } from '@navplane/auth';
import { newId } from '@navplane/core';
import { createChangeFeed, createRepositories, migrateToLatest, openDatabase } from '@navplane/storage';
import { createKeyring, createVault } from '@navplane/vault';

/** The repository root (the bench runs from tools/bench/dist). */
export const ROOT = resolve(__dirname, '../../..');

/** A started child process and the URL it reported. */
export interface Started {
  child: ChildProcess;
  url: string;
}

/** Starts `node <args>` pinned to `core` and resolves with the URL its ready line names. */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  core: string,
  readyPattern: (line: string) => string | undefined,
): Promise<Started> {
  const child = spawn('taskset', ['-c', core, process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start`)), 20_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        const url = readyPattern(line);
        if (url !== undefined) {
          clearTimeout(timer);
          child.stdout?.removeAllListeners('data');
          child.stdout?.resume();
          resolvePromise({ child, url });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** The URL of a `{"ready":true,"url"}` line or of the gateway's "listening" log line. */
export const readyLine = (line: string): string | undefined => {
  try {
    const parsed = JSON.parse(line) as { ready?: boolean; url?: string; server?: string };
    if (parsed.ready || parsed.server === 'gateway') return parsed.url;
  } catch {
    // not JSON
  }
  return undefined;
};

/** SIGTERM and wait for the exit. */
export async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((r) => started.child.once('exit', r));
  started.child.kill('SIGTERM');
  await exited;
}

/** Migrates `dbUrl` and seeds an org, its OpenAI key and a NavPlane key; returns the NavPlane key. */
export async function seedGateway(dbUrl: string, masterKey: Buffer): Promise<string> {
  return (await seedGatewayOrg(dbUrl, masterKey)).key;
}

/** Like seedGateway, and stores `policies` (mode per scope) for the new org; returns its id and its NavPlane key (id and secret). */
export async function seedGatewayOrg(
  dbUrl: string,
  masterKey: Buffer,
  policies: Array<{ scopeType: 'org'; mode: 'off' | 'redact_storage' | 'redact_upstream' | 'block' }> = [],
): Promise<{ orgId: string; keyId: string; key: string }> {
  const database = await openDatabase({ url: dbUrl, poolSize: 2 });
  await migrateToLatest(database);
  const repos = createRepositories(database);
  const changeFeed = createChangeFeed(database, { pollIntervalMs: 50 });
  const orgId = newId('org');
  await repos.orgs.create({ id: orgId, name: 'bench', createdAt: new Date().toISOString() });
  const vault = createVault({ keyring: createKeyring({ current: masterKey }), providerKeys: repos.providerKeys, changeFeed });
  await vault.storeProviderKey({ orgId, provider: 'openai', key: 'sk-bench-provider-key-0123456789' });
  const issued = await createGatewayKeyService({ repos, changeFeed }).issue({ orgId, name: 'bench' });
  if (!issued.ok) throw issued.error;
  if (policies.length > 0) {
    const at = new Date().toISOString();
    await repos.policies.replaceForOrg(
      orgId,
      policies.map((policy) => ({ id: newId('policy'), scopeType: policy.scopeType, scopeValue: null, mode: policy.mode, config: {} })),
      at,
    );
  }
  vault.close();
  await changeFeed.close();
  await database.close();
  return { orgId, keyId: issued.value.record.id, key: issued.value.key };
}

/** Rows in `traces`. */
export async function countTraces(dbUrl: string): Promise<number> {
  return (await countTraceRows(dbUrl)).traces;
}

/** Rows in `traces`, and those that stored a request body (body capture on). */
export async function countTraceRows(dbUrl: string): Promise<{ traces: number; withRequestBody: number }> {
  const database = await openDatabase({ url: dbUrl, poolSize: 2 });
  try {
    const row = await database.db
      .selectFrom('traces')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('request_body').as('bodies')])
      .executeTakeFirst();
    return { traces: Number(row?.n ?? 0), withRequestBody: Number(row?.bodies ?? 0) };
  } finally {
    await database.close();
  }
}

/**
 * The Node flags `npm start` runs NavPlane with (package.json): a 32 MiB young generation, so the short-lived
 * objects of each request die in cheap scavenges instead of being promoted (GC fell from ~14 % to ~8 % of the
 * gateway's CPU in profiles). The benches run the gateway the way `npm start` does.
 */
export const GATEWAY_START_NODE_ARGS: readonly string[] = ['--max-semi-space-size=32'];

/**
 * Starts `navplane serve --only gateway` on `dbUrl`, pinned to `core`, proxying to `upstreamUrl` (default flags:
 * GATEWAY_START_NODE_ARGS); `env` adds or overrides NAVPLANE_* settings (e.g. NAVPLANE_CAPTURE_BODIES).
 */
export function startGateway(options: {
  dbUrl: string;
  masterKey: Buffer;
  upstreamUrl: string;
  core: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<Started> {
  return startProcess(
    [...(options.nodeArgs ?? GATEWAY_START_NODE_ARGS), resolve(ROOT, 'apps/cli/dist/main.js'), 'serve', '--only', 'gateway'],
    {
      NAVPLANE_DATABASE_URL: options.dbUrl,
      NAVPLANE_MASTER_KEY: options.masterKey.toString('base64'),
      NAVPLANE_OPENAI_BASE_URL: options.upstreamUrl,
      NAVPLANE_ANTHROPIC_BASE_URL: options.upstreamUrl,
      NAVPLANE_GATEWAY_PORT: '0',
      NAVPLANE_LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...options.env,
    },
    options.core,
    readyLine,
  );
}
