import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGatewayKeyService, type Scope } from '@navplane/auth';
import { loadConfig } from '@navplane/config';
import { newId } from '@navplane/core';
import type { ResolveAll } from '@navplane/egress';
import { listen, type RunningServer } from '@navplane/http';
import { createRuntime, type Runtime } from '@navplane/runtime';
import { CHANGE_TOPICS, type NewPolicy, type PolicyMode, type PolicyScopeType, type Trace } from '@navplane/storage';
import { createLogger } from '@navplane/telemetry';
import { createTestDatabase, startFakeUpstream, type FakeUpstream, type TestDatabase } from '@navplane/testing';
import { ROUTE_DOCUMENT_SCHEMA, type RouteDocument } from '@navplane/routing';
import type { GatewayBudgetsOptions } from '../budgets/gateway-budgets';
import { createGatewayServer, type GatewayServer } from '../create-gateway';
import type { RouteSource } from '../routing/route-source';
import type { Random } from '../routing/target-order';

/** The orgs' routing tables in memory (the routes store's shape): `set` replaces an org's, as the admin API would. */
export interface InMemoryRoutes extends RouteSource {
  /** Parses `raw` (defaults filled in) and makes it the org's routing table at once. */
  set(orgId: string, raw: unknown): void;
}

/** An in-memory routing source for tests. */
export function createInMemoryRoutes(): InMemoryRoutes {
  const documents = new Map<string, RouteDocument>();
  return {
    get: (orgId) => Promise.resolve(documents.get(orgId)),
    peek: (orgId) => documents.get(orgId),
    set(orgId, raw) {
      documents.set(orgId, ROUTE_DOCUMENT_SCHEMA.parse(raw));
    },
  };
}

/** Provider keys the fake upstream accepts; tests assert these (and nothing of NavPlane's) arrived. */
export const OPENAI_TEST_KEY = 'sk-test-openai-vault-0123456789abcdef';
export const ANTHROPIC_TEST_KEY = 'sk-ant-test-vault-0123456789abcdef';
export const OPENAI_PASSTHROUGH_KEY = 'sk-test-openai-byok-fedcba9876543210';
export const ANTHROPIC_PASSTHROUGH_KEY = 'sk-ant-test-byok-fedcba9876543210';

/** A running gateway over a fresh database, the production wiring, and a fake upstream. */
export interface GatewayHarness {
  readonly testDb: TestDatabase;
  readonly runtime: Runtime;
  readonly gateway: GatewayServer;
  readonly server: RunningServer;
  readonly upstream: FakeUpstream;
  /** The orgs' routing tables (set one with `routes.set(orgId, document)`). */
  readonly routes: InMemoryRoutes;
  /** The gateway's base URL. */
  readonly url: string;
  /** Every log line the gateway wrote. */
  readonly logs: () => string;
  createOrg(name?: string): Promise<string>;
  issueKey(
    orgId: string,
    options?: { scopes?: Scope[]; expiresAt?: string; workspaceId?: string; models?: string[] },
  ): Promise<{ key: string; id: string }>;
  /** Stores a key straight in the vault (no egress check: the base URL is the test's to choose). */
  storeProviderKey(orgId: string, provider: string, key: string, baseUrl?: string): Promise<void>;
  deleteProviderKey(orgId: string, provider: string): Promise<void>;
  revokeKey(orgId: string, keyId: string): Promise<void>;
  rotateKey(orgId: string, keyId: string, graceSeconds: number): Promise<{ key: string; id: string }>;
  setOrgEnabled(orgId: string, enabled: boolean): Promise<void>;
  /** Replaces the org's policies (as the admin API does: stored, then `policy.changed` published). */
  setPolicies(orgId: string, policies: readonly TestPolicy[]): Promise<void>;
  /** Creates a workspace in the org; returns its id. */
  createWorkspace(orgId: string): Promise<string>;
  /** Writes queued traces and returns the org's, newest first. */
  traces(orgId: string): Promise<Trace[]>;
  close(): Promise<void>;
}

/** A policy to store (`scopeValue` omitted for the org-wide one). */
export interface TestPolicy {
  scopeType: PolicyScopeType;
  scopeValue?: string;
  mode: PolicyMode;
  detectors?: string[];
}

/** Options of startGatewayHarness. */
export interface GatewayHarnessOptions {
  /** Extra NAVPLANE_* settings. */
  env?: Record<string, string>;
  /** An upstream to use instead of a new fake (e.g. a closed port). */
  upstreamUrl?: string;
  /** Runs on the fresh, migrated database before the gateway starts (e.g. to seed sealed keys). */
  beforeStart?: (testDb: TestDatabase) => Promise<void>;
  /** Name resolution of the egress guard (tenant endpoints): a resolver the test controls. */
  resolveAll?: ResolveAll;
  /** The gateway's random source (loadbalance picks, backoff jitter): seeded for reproducible tests. */
  random?: Random;
  /** Budgets and spend alerts (clock, alert retries, Redis). */
  budgets?: GatewayBudgetsOptions;
}

/** Starts the harness on `dialect` (sqlite | postgres). */
export async function startGatewayHarness(dialect: 'sqlite' | 'postgres', options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const testDb = await createTestDatabase(dialect);
  await options.beforeStart?.(testDb);
  const upstream = await startFakeUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'navplane-gw-'));
  const upstreamUrl = options.upstreamUrl ?? upstream.url;
  const loaded = loadConfig({
    NAVPLANE_DATABASE_URL: testDb.url,
    NAVPLANE_MASTER_KEY: randomBytes(32).toString('base64'),
    NAVPLANE_LOG_LEVEL: 'debug',
    NAVPLANE_OPENAI_BASE_URL: upstreamUrl,
    NAVPLANE_ANTHROPIC_BASE_URL: upstreamUrl,
    NAVPLANE_GEMINI_BASE_URL: upstreamUrl,
    NAVPLANE_MISTRAL_BASE_URL: upstreamUrl,
    NAVPLANE_TRACE_FLUSH_MS: '10',
    NAVPLANE_CHANGE_FEED_POLL_MS: '50',
    // Specs send many refused keys from one address (loopback): brute-force throttling is off unless a spec turns it on.
    NAVPLANE_AUTH_FAILURE_LIMIT: '0',
    ...options.env,
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  let logText = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  const runtime = await createRuntime(loaded.value, {
    logger: createLogger({ level: 'debug', stream: logStream }),
    masterKeyFile: join(dir, 'master.key'),
    ...(options.resolveAll === undefined ? {} : { resolveAll: options.resolveAll }),
  });
  const routes = createInMemoryRoutes();
  const gateway = await createGatewayServer(runtime, {
    routes,
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.budgets === undefined ? {} : { budgets: options.budgets }),
  });
  const server = await listen(gateway.app, {
    host: loaded.value.host,
    port: 0,
    requestTimeoutMs: loaded.value.requestTimeoutMs,
    keepAliveTimeoutMs: loaded.value.keepAliveTimeoutMs,
    upgrades: gateway.upgrades,
  });
  const keys = createGatewayKeyService({ repos: runtime.repos, changeFeed: runtime.changeFeed });

  return {
    testDb,
    runtime,
    gateway,
    server,
    upstream,
    routes,
    url: server.url,
    logs: () => logText,
    async createOrg(name = 'acme') {
      const id = newId('org');
      await runtime.repos.orgs.create({ id, name, createdAt: new Date().toISOString() });
      await runtime.changeFeed.publish(CHANGE_TOPICS.orgChanged, { orgId: id });
      return id;
    },
    async issueKey(orgId, keyOptions = {}) {
      const issued = await keys.issue({
        orgId,
        name: 'test',
        scopes: keyOptions.scopes,
        expiresAt: keyOptions.expiresAt,
        workspaceId: keyOptions.workspaceId,
        models: keyOptions.models,
      });
      if (!issued.ok) throw issued.error;
      return { key: issued.value.key, id: issued.value.record.id };
    },
    async storeProviderKey(orgId, provider, key, baseUrl) {
      await runtime.vault.storeProviderKey({ orgId, provider, key, ...(baseUrl === undefined ? {} : { baseUrl }) });
    },
    async deleteProviderKey(orgId, provider) {
      await runtime.vault.deleteProviderKey(orgId, provider);
    },
    async revokeKey(orgId, keyId) {
      const revoked = await keys.revoke(orgId, keyId);
      if (!revoked.ok) throw revoked.error;
    },
    async rotateKey(orgId, keyId, graceSeconds) {
      const rotated = await keys.rotate(orgId, keyId, { graceSeconds });
      if (!rotated.ok) throw rotated.error;
      return { key: rotated.value.key, id: rotated.value.record.id };
    },
    async setOrgEnabled(orgId, enabled) {
      await runtime.repos.orgs.setEnabled(orgId, enabled, new Date().toISOString());
      await runtime.changeFeed.publish(CHANGE_TOPICS.orgChanged, { orgId });
    },
    async setPolicies(orgId, policies) {
      await runtime.repos.policies.replaceForOrg(
        orgId,
        policies.map(
          (policy): NewPolicy => ({
            id: newId('policy'),
            scopeType: policy.scopeType,
            scopeValue: policy.scopeType === 'org' ? null : (policy.scopeValue ?? null),
            mode: policy.mode,
            config: policy.detectors === undefined ? {} : { detectors: policy.detectors },
          }),
        ),
        new Date().toISOString(),
      );
      await runtime.changeFeed.publish(CHANGE_TOPICS.policyChanged, { orgId });
    },
    async createWorkspace(orgId) {
      const id = newId('workspace');
      await runtime.repos.workspaces.create({ id, orgId, name: `ws-${id.slice(-6)}`, createdAt: new Date().toISOString() });
      return id;
    },
    async traces(orgId) {
      // Traces of captured requests are queued once the redaction pool has redacted their stored copies.
      const pending = () => gateway.redactionPool.stats().busy + gateway.redactionPool.stats().queued;
      while (pending() > 0) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setImmediate(r));
      await gateway.traceWriter.flush();
      const summaries = await runtime.repos.traces.listByOrg(orgId, { limit: 1000 });
      const full = await Promise.all(summaries.map((t) => runtime.repos.traces.findById(t.id)));
      return full.filter((t): t is Trace => t !== undefined);
    },
    async close() {
      await server.close(1000);
      await gateway.traceWriter.close(2000);
      await runtime.close();
      await upstream.close();
      await testDb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A started harness with one org, one NavPlane key (default scopes) and both providers' keys in the vault. */
export interface KeyedGateway {
  readonly h: GatewayHarness;
  readonly orgId: string;
  readonly key: string;
}

/** startGatewayHarness, then the org, key and provider keys most end-to-end specs start from. */
export async function startKeyedGateway(dialect: 'sqlite' | 'postgres', options: GatewayHarnessOptions = {}): Promise<KeyedGateway> {
  const h = await startGatewayHarness(dialect, options);
  const orgId = await h.createOrg();
  const { key } = await h.issueKey(orgId);
  await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
  await h.storeProviderKey(orgId, 'anthropic', ANTHROPIC_TEST_KEY);
  return { h, orgId, key };
}

/** POSTs a small chat completion with `key` to the gateway at `url`, reads the whole answer and returns its status. */
export async function postChat(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}
