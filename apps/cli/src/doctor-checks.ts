import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { providerRegistrySettings, type NavPlaneConfig } from '@navplane/config';
import { parseDatabaseUrl } from '@navplane/core';
import { isPublicAddress } from '@navplane/egress';
import { createProviderRegistry, type ProviderRegistry } from '@navplane/providers';
import { createRepositories, getMigrationStatus, openDatabase, type Database } from '@navplane/storage';
import { readMetricSamples } from '@navplane/telemetry';
import { createKeyring, createVault } from '@navplane/vault';
import { findMasterKey, type CliMasterKey } from './cli-master-key';
import { describeError, maskCredentials } from './describe-error';
import { checkLimitsBackend } from './doctor-limits';
import { CliError } from './output';
import { gatewayBaseUrl } from './shell-env';
import { MIGRATE_HINT } from './store';

/** How a check came out; `skip` = not run because something it needs failed or is absent. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of `navplane doctor`. */
export interface DoctorCheck {
  /** Stable check name (see docs/cli.md). */
  name: string;
  status: CheckStatus;
  /** What was found (never a secret). */
  message: string;
  /** What to do about a warn/fail, else null. */
  fix: string | null;
}

const check = (name: string, status: CheckStatus, message: string, fix: string | null = null): DoctorCheck => ({
  name,
  status,
  message,
  fix,
});

const DB_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Options of runDoctorChecks. */
export interface DoctorOptions {
  /** Where to look for a running gateway's /metrics (default from NAVPLANE_HOST/NAVPLANE_GATEWAY_PORT). */
  gatewayUrl?: string;
}

/**
 * Runs every check after the configuration loaded, in a fixed order: database, migrations, master-key,
 * vault, routes, limits, admin-auth, node-env, traces. Never throws; the database is always closed.
 */
export async function runDoctorChecks(config: NavPlaneConfig, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const { database, check: databaseCheck } = await checkDatabase(config);
  checks.push(databaseCheck);
  try {
    const migrations = database === undefined ? check('migrations', 'skip', 'database not reachable') : await checkMigrations(database);
    checks.push(migrations);
    const dbReady = database !== undefined && migrations.status !== 'fail';
    const masterKey = await findMasterKey(config);
    checks.push(masterKeyCheck(config, masterKey));
    checks.push(await checkVault(config, masterKey, dbReady ? database : undefined));
    checks.push(checkRoutes(config));
    checks.push(await checkLimitsBackend(config));
    checks.push(await checkAdminAuth(config, dbReady ? database : undefined));
    checks.push(checkNodeEnv(config));
    checks.push(await checkTraceDrops(config, options.gatewayUrl));
  } finally {
    await database?.close().catch(() => undefined);
  }
  return checks;
}

async function checkDatabase(config: NavPlaneConfig): Promise<{ database?: Database; check: DoctorCheck }> {
  const parsed = parseDatabaseUrl(config.databaseUrl);
  if (!parsed.ok) return { check: check('database', 'fail', `NAVPLANE_DATABASE_URL ${parsed.error}`, 'fix NAVPLANE_DATABASE_URL') };
  const location = parsed.value;
  if (location.dialect === 'sqlite' && location.filename !== ':memory:' && !existsSync(location.filename)) {
    // Opening would create an empty file: report instead.
    return { check: check('database', 'fail', `SQLite file ${location.filename} does not exist`, MIGRATE_HINT) };
  }
  let database: Database;
  try {
    database = await openDatabase({ url: config.databaseUrl, poolSize: 1 });
  } catch (error) {
    return { check: check('database', 'fail', `cannot open the database: ${describeError(error)}`, 'check NAVPLANE_DATABASE_URL') };
  }
  try {
    await withTimeout(database.ping(), DB_TIMEOUT_MS, 'database ping');
  } catch (error) {
    await database.close().catch(() => undefined);
    return {
      check: check(
        'database',
        'fail',
        `database unreachable: ${describeError(error)}`,
        'check NAVPLANE_DATABASE_URL and that the server is up',
      ),
    };
  }
  return { database, check: check('database', 'ok', `${database.dialect} database reachable`) };
}

async function checkMigrations(database: Database): Promise<DoctorCheck> {
  try {
    const status = await withTimeout(getMigrationStatus(database), DB_TIMEOUT_MS, 'migration status');
    if (!status.current) {
      return check('migrations', 'fail', `${status.pending.length} migration(s) pending: ${status.pending.join(', ')}`, MIGRATE_HINT);
    }
    const unknown = (status as { unknown?: string[] }).unknown ?? [];
    if (unknown.length > 0) {
      return check(
        'migrations',
        'warn',
        `the database has ${unknown.length} migration(s) this version does not know (${unknown.join(', ')})`,
        'a newer NavPlane migrated this database: upgrade this installation',
      );
    }
    return check('migrations', 'ok', `${status.applied.length} migration(s) applied, none pending`);
  } catch (error) {
    return check('migrations', 'fail', `cannot read the migration status: ${describeError(error)}`, MIGRATE_HINT);
  }
}

type FoundKey = { ok: true; value: CliMasterKey } | { ok: false; error: string };

function masterKeyCheck(config: NavPlaneConfig, found: FoundKey): DoctorCheck {
  const previous = config.masterKeyPrevious.length;
  const rotating = previous > 0 ? `; ${previous} previous key(s) in NAVPLANE_MASTER_KEY_PREVIOUS` : '';
  if (found.ok && found.value.source === 'env') return check('master-key', 'ok', `from NAVPLANE_MASTER_KEY${rotating}`);
  if (found.ok) {
    return check(
      'master-key',
      'warn',
      `from the generated file ${found.value.path ?? ''}${rotating}`,
      'back the file up, then set NAVPLANE_MASTER_KEY to its content on every instance (required in production)',
    );
  }
  if (config.nodeEnv === 'production') {
    return check(
      'master-key',
      'fail',
      'NAVPLANE_MASTER_KEY is not set and NODE_ENV=production',
      'set NAVPLANE_MASTER_KEY (openssl rand -base64 32)',
    );
  }
  return check(
    'master-key',
    'warn',
    'NAVPLANE_MASTER_KEY is not set and no key file exists: `serve` will generate ./data/master.key',
    'set NAVPLANE_MASTER_KEY (openssl rand -base64 32) before storing provider keys',
  );
}

// The vault check never publishes: a doctor run changes nothing.
const SILENT_FEED = { publish: () => Promise.resolve(), subscribe: () => () => undefined };

async function checkVault(config: NavPlaneConfig, found: FoundKey, database: Database | undefined): Promise<DoctorCheck> {
  if (!found.ok) {
    if (database === undefined) return check('vault', 'skip', 'no master key and the database is not ready');
    const stored = await createRepositories(database)
      .providerKeys.listAllForRewrap()
      .catch(() => undefined);
    if (stored !== undefined && stored.length > 0) {
      return check(
        'vault',
        'fail',
        `${stored.length} stored provider key(s) but no master key to open them`,
        'set NAVPLANE_MASTER_KEY to the key they were stored with',
      );
    }
    return check('vault', 'skip', 'no master key yet and no stored provider keys');
  }
  let keyring;
  try {
    keyring = createKeyring({ current: found.value.key, previous: [...config.masterKeyPrevious] });
  } catch (error) {
    return check(
      'vault',
      'fail',
      error instanceof Error ? error.message : 'invalid master keys',
      'fix NAVPLANE_MASTER_KEY / NAVPLANE_MASTER_KEY_PREVIOUS',
    );
  }
  if (database === undefined) {
    return check('vault', 'skip', `master key version ${keyring.currentVersion} loads; stored keys not checked (database not ready)`);
  }
  const vault = createVault({ keyring, providerKeys: createRepositories(database).providerKeys, changeFeed: SILENT_FEED, cacheSize: 0 });
  try {
    const status = await vault.verifyUnlocked();
    if (!status.ready) {
      return check(
        'vault',
        'fail',
        status.problems.join('; ') || 'vault locked',
        'set NAVPLANE_MASTER_KEY (and NAVPLANE_MASTER_KEY_PREVIOUS during a rotation) to the keys the provider keys were stored with',
      );
    }
    const stored = status.storedKeys.ok ? status.storedKeys : undefined;
    const summary = `unlocked (master key version ${status.currentKekVersion}); ${stored?.total ?? 0} stored provider key(s)`;
    if (stored !== undefined && stored.notCurrent > 0) {
      return check(
        'vault',
        'warn',
        `${summary}, ${stored.notCurrent} still wrapped by a previous master key`,
        'run `npx navplane vault rotate-master`',
      );
    }
    return check('vault', 'ok', summary);
  } finally {
    vault.close();
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}

function checkRoutes(config: NavPlaneConfig): DoctorCheck {
  let registry: ProviderRegistry;
  try {
    // As the gateway builds it (apps/gateway/src/create-gateway.ts): each built-in provider's base URL by provider id.
    registry = createProviderRegistry(providerRegistrySettings(config));
  } catch (error) {
    return check(
      'routes',
      'fail',
      `provider registry: ${error instanceof Error ? error.message : 'invalid'}`,
      'fix NAVPLANE_OPENAI_BASE_URL / NAVPLANE_ANTHROPIC_BASE_URL / NAVPLANE_GEMINI_BASE_URL / NAVPLANE_MISTRAL_BASE_URL',
    );
  }
  // Each provider's main endpoint, under its prefix and under every root alias that covers it.
  const wrong = registry
    .routeChecks()
    .filter(
      ({ method, path, headers, provider }) =>
        registry.route(method, path, headers).ok !== true || registry.resolve(path, headers)?.adapter.id !== provider,
    );
  if (wrong.length > 0) {
    return check(
      'routes',
      'fail',
      `routes not wired: ${wrong.map(({ path }) => path).join(', ')}`,
      'report this: the provider registry is broken',
    );
  }
  const baseUrls = registry.ids.flatMap((id) => {
    const url = registry.baseUrl(id);
    return url === undefined ? [] : [[id, url] as const];
  });
  const upstreams = baseUrls.map(([id, url]) => `${id} → ${maskCredentials(url)}`).join(', ');
  const plain = baseUrls
    .filter(([, url]) => {
      const parsed = new URL(url);
      return parsed.protocol === 'http:' && !isLoopback(parsed.hostname);
    })
    .map(([id]) => id);
  const risky = operatorProviderRisks(config);
  if (plain.length > 0 || risky.length > 0) {
    return check(
      'routes',
      'warn',
      [
        upstreams,
        ...(plain.length > 0 ? [`${plain.join(', ')} over plain http`] : []),
        ...(risky.length > 0 ? [`operator-defined ${risky.join(', ')}`] : []),
      ].join('; '),
      [
        ...(plain.length > 0 ? ['use https upstreams: provider keys would cross the network unencrypted'] : []),
        ...(risky.length > 0
          ? [
              'the config file’s providers are trusted as given (no egress check, docs/security-egress.md): make sure each is the upstream you mean, and prefer https',
            ]
          : []),
      ].join('; '),
    );
  }
  return check('routes', 'ok', upstreams);
}

/**
 * The config file's operator-defined providers whose base URL is plain http (loopback included) or names a private,
 * loopback or link-local address (a literal one, or `localhost`): `vllm (http, private address)`. Operator URLs skip
 * the egress rules tenant URLs go through, so doctor points them out (a warning, never a failure).
 */
function operatorProviderRisks(config: NavPlaneConfig): string[] {
  return config.providers.flatMap(({ id, baseUrl }) => {
    const url = new URL(baseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const reasons = [
      ...(url.protocol === 'http:' ? ['http'] : []),
      ...(host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && !isPublicAddress(host)) ? ['private address'] : []),
    ];
    return reasons.length === 0 ? [] : [`${id} (${reasons.join(', ')})`];
  });
}

async function checkAdminAuth(config: NavPlaneConfig, database: Database | undefined): Promise<DoctorCheck> {
  let stored: number | undefined;
  if (database !== undefined) {
    stored = await createRepositories(database)
      .adminTokens.listActive()
      .then((tokens) => tokens.length)
      .catch(() => undefined);
  }
  const parts = [
    config.adminToken === undefined ? 'no bootstrap token (NAVPLANE_ADMIN_TOKEN)' : 'bootstrap token set (NAVPLANE_ADMIN_TOKEN)',
    stored === undefined ? 'stored admin tokens not checked' : `${stored} stored admin token(s)`,
  ];
  if (config.adminToken === undefined && stored === 0) {
    return check(
      'admin-auth',
      'warn',
      `${parts.join(', ')}: the admin API refuses every request`,
      'run `npx navplane admin-token create --name <who>`',
    );
  }
  if (config.adminToken !== undefined && config.nodeEnv === 'production') {
    return check(
      'admin-auth',
      'warn',
      parts.join(', '),
      'in production prefer stored admin tokens (`navplane admin-token create`) and unset NAVPLANE_ADMIN_TOKEN',
    );
  }
  return check('admin-auth', 'ok', parts.join(', '));
}

function checkNodeEnv(config: NavPlaneConfig): DoctorCheck {
  if (config.nodeEnv === 'production') return check('node-env', 'ok', 'NODE_ENV=production');
  return check(
    'node-env',
    'warn',
    `NODE_ENV=${config.nodeEnv}`,
    'set NODE_ENV=production for a deployment (it also makes NAVPLANE_MASTER_KEY mandatory)',
  );
}

const METRICS_TIMEOUT_MS = 1500;

async function checkTraceDrops(config: NavPlaneConfig, override: string | undefined): Promise<DoctorCheck> {
  let base: string;
  try {
    base = gatewayBaseUrl(config, override);
  } catch (error) {
    if (error instanceof CliError && override === undefined)
      return check('traces', 'skip', 'gateway port is 0: pass --gateway-url to check trace drops');
    throw error;
  }
  let text: string;
  try {
    const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
    if (!response.ok) return check('traces', 'skip', `${base}/metrics answered ${response.status}`);
    text = await response.text();
  } catch {
    return check('traces', 'skip', `no gateway reachable at ${base}: trace drop counters not checked`);
  }
  const dropped: Record<string, number> = {};
  for (const { labels, value } of readMetricSamples(text, 'navplane_traces_dropped')) {
    if (labels['reason'] !== undefined) dropped[labels['reason']] = value;
  }
  const depth = readMetricSamples(text, 'navplane_trace_queue_depth')[0]?.value;
  if (Object.keys(dropped).length === 0 && depth === undefined) {
    return check('traces', 'skip', `${base}/metrics has no trace counters`);
  }
  const total = Object.values(dropped).reduce((sum, n) => sum + n, 0);
  const detail = Object.entries(dropped)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(', ');
  const queue = depth === undefined ? '' : `; queue depth ${depth}`;
  if (total > 0) {
    return check(
      'traces',
      'warn',
      `${total} trace(s) dropped since the gateway started (${detail})${queue}`,
      'raise NAVPLANE_TRACE_QUEUE_SIZE or look at database write latency',
    );
  }
  return check('traces', 'ok', `no traces dropped at ${base}${queue}`);
}
