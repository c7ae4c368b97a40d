import { ok } from '@navplane/core';
import type { z } from 'zod';
import {
  MAX_TIMER_MS,
  parseAdminToken,
  parseBoolean,
  parseCorsOrigins,
  parseDatabaseUrlSetting,
  parseHost,
  parseHttpBaseUrl,
  parseInteger,
  parseLimitsFailMode,
  parseLogLevel,
  parseMasterKey,
  parseMasterKeyList,
  parseNonEmptyString,
  parsePort,
  parseRedisPrefix,
  parseRedisUrl,
  parseTraceSink,
  parseTrustProxy,
  parseUpstreamAllowlist,
} from './setting-parsers';
import { operatorProvidersSchema } from './operator-providers';
import { OTEL_SETTINGS } from './otel-settings';
import { optionalSettingSchema, settingSchema } from './setting-schema';

/** One setting, declared once; its schema, type, docs row and `describeConfig` view are derived from it. */
export interface SettingDeclaration {
  /**
   * The environment variable. The config-file key is its name without `NAVPLANE_`, in lower snake case. Null: the
   * setting is read from the config file only, under `fileKey` (a structure no variable could hold).
   */
  readonly env: string | null;
  /** The config-file key of a file-only setting (`env: null`). */
  readonly fileKey?: string;
  /** The default in environment syntax (parsed by `schema` like any other value); undefined = none. */
  readonly default: string | undefined;
  /** Parses the raw value (an env string or any YAML/JSON value) into the typed one, with its own messages. */
  readonly schema: z.ZodType;
  /** What the setting means: one line of docs/configuration.md (Markdown). */
  readonly doc: string;
  /** The value is never shown (problems, describeConfig, logs). */
  readonly secret?: true;
  /** The value is a URL whose password is masked wherever it is shown. */
  readonly maskPassword?: true;
  /** Read from the environment only (no config-file key). */
  readonly envOnly?: true;
}

const integer = (min: number, max: number, unit?: string) => settingSchema((raw) => parseInteger(raw, min, max, unit));
const milliseconds = (min: number, max: number) => integer(min, max, 'milliseconds');

/**
 * Every setting NavPlane reads, keyed by its camelCase name (the field of NavPlaneConfig), in the order docs
 * and `config validate` list them. This table is the only place a setting's variable, default, validation
 * and meaning are written: docs/configuration.md is generated from it (`npm run docs:config`).
 */
export const SETTINGS = {
  databaseUrl: {
    env: 'NAVPLANE_DATABASE_URL',
    default: 'sqlite:./data/navplane.db',
    schema: settingSchema(parseDatabaseUrlSetting),
    doc: 'Database: `sqlite:<path>` (embedded, the default; relative to the working directory, `sqlite:///abs/path` for an absolute one), `sqlite::memory:`, or a `postgres://`/`postgresql://` URL with a host.',
    maskPassword: true,
  },
  databasePoolSize: {
    env: 'NAVPLANE_DATABASE_POOL_SIZE',
    default: '10',
    schema: integer(1, 1000),
    doc: 'Largest number of Postgres connections per process (1-1000; unused with SQLite).',
  },
  masterKey: {
    env: 'NAVPLANE_MASTER_KEY',
    default: undefined,
    schema: optionalSettingSchema(parseMasterKey),
    doc: "Base64 of 32 random bytes: the vault's key-encryption key. Without it `serve` creates `./data/master.key` once and warns; required when NODE_ENV=production.",
    secret: true,
  },
  masterKeyPrevious: {
    env: 'NAVPLANE_MASTER_KEY_PREVIOUS',
    default: undefined,
    schema: settingSchema((raw) => (raw === undefined ? ok([]) : parseMasterKeyList(raw))),
    doc: 'Comma-separated base64 master keys being rotated out: still accepted for reading stored keys until `navplane vault rotate-master` has re-wrapped everything under `NAVPLANE_MASTER_KEY` (see [security-vault.md](security-vault.md)).',
    secret: true,
  },
  adminToken: {
    env: 'NAVPLANE_ADMIN_TOKEN',
    default: undefined,
    schema: optionalSettingSchema(parseAdminToken),
    doc: 'Bootstrap platform-admin token for the admin API (at least 16 characters, no whitespace).',
    secret: true,
  },
  host: {
    env: 'NAVPLANE_HOST',
    default: '127.0.0.1',
    schema: settingSchema(parseHost),
    doc: 'Bind address of both apps (IP address or hostname).',
  },
  gatewayPort: {
    env: 'NAVPLANE_GATEWAY_PORT',
    default: '8080',
    schema: settingSchema(parsePort),
    doc: 'Gateway port (0-65535; 0 = any free port, printed at start).',
  },
  adminPort: {
    env: 'NAVPLANE_ADMIN_PORT',
    default: '8081',
    schema: settingSchema(parsePort),
    doc: 'Admin API port (0-65535; 0 = any free port, printed at start).',
  },
  openaiBaseUrl: {
    env: 'NAVPLANE_OPENAI_BASE_URL',
    default: 'https://api.openai.com',
    schema: settingSchema(parseHttpBaseUrl),
    doc: 'OpenAI upstream (http/https; operator-set only, no client can choose an upstream; trailing slash dropped).',
  },
  anthropicBaseUrl: {
    env: 'NAVPLANE_ANTHROPIC_BASE_URL',
    default: 'https://api.anthropic.com',
    schema: settingSchema(parseHttpBaseUrl),
    doc: 'Anthropic upstream (http/https; trailing slash dropped).',
  },
  geminiBaseUrl: {
    env: 'NAVPLANE_GEMINI_BASE_URL',
    default: 'https://generativelanguage.googleapis.com',
    schema: settingSchema(parseHttpBaseUrl),
    doc: 'Gemini upstream, the native Gemini API served at `/gemini/*` (http/https; trailing slash dropped).',
  },
  mistralBaseUrl: {
    env: 'NAVPLANE_MISTRAL_BASE_URL',
    default: 'https://api.mistral.ai',
    schema: settingSchema(parseHttpBaseUrl),
    doc: 'Mistral upstream (http/https; trailing slash dropped); clients reach it at `/mistral/v1/*`.',
  },
  captureBodies: {
    env: 'NAVPLANE_CAPTURE_BODIES',
    default: 'false',
    schema: settingSchema(parseBoolean),
    doc: 'Store request/response bodies in traces, always after redaction (true/false/1/0/yes/no).',
  },
  captureMaxBytes: {
    env: 'NAVPLANE_CAPTURE_MAX_BYTES',
    default: '65536',
    schema: integer(1024, 16_777_216, 'characters'),
    doc: 'With body capture on: most characters stored per body (request, response); longer bodies are stored truncated and marked so (1024-16777216).',
  },
  policyMaxBodyBytes: {
    env: 'NAVPLANE_POLICY_MAX_BODY_BYTES',
    default: '4194304',
    schema: integer(1024, 1_073_741_824, 'bytes'),
    doc: 'Largest request body a `redact_upstream` or `block` policy evaluates, in bytes (decoded); larger bodies fail closed with 503 `policy_unavailable` (1024-1073741824).',
  },
  policyTimeoutMs: {
    env: 'NAVPLANE_POLICY_TIMEOUT_MS',
    default: '1000',
    schema: milliseconds(1, 60_000),
    doc: 'Longest a `redact_upstream` or `block` policy may spend evaluating one request body, in ms; past it the request fails closed with 503 `policy_unavailable` (1-60000).',
  },
  policyWorkers: {
    env: 'NAVPLANE_POLICY_WORKERS',
    default: '0',
    schema: integer(0, 256),
    doc: 'Worker threads that decode and redact large bodies off the event loop, shared by every org (the CPU budget of redaction; more bodies wait in a bounded queue within `NAVPLANE_POLICY_TIMEOUT_MS`); 0 = one per CPU but one, at least one (0-256).',
  },
  maxBodyBytes: {
    env: 'NAVPLANE_MAX_BODY_BYTES',
    default: '20971520',
    schema: integer(1, 1_073_741_824, 'bytes'),
    doc: 'Largest request body accepted, in bytes (20 MiB; 413 above; 1 to 1073741824).',
  },
  upstreamConnectTimeoutMs: {
    env: 'NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS',
    default: '10000',
    schema: milliseconds(1, MAX_TIMER_MS),
    doc: 'Connect timeout to a provider in ms (502 when it fails).',
  },
  upstreamTimeoutMs: {
    env: 'NAVPLANE_UPSTREAM_TIMEOUT_MS',
    default: '600000',
    schema: milliseconds(1, MAX_TIMER_MS),
    doc: "Longest wait for the provider's response headers in ms (504 after), and the longest silence between two chunks of a response body (the connection is then ended).",
  },
  routeAttemptTimeoutMs: {
    env: 'NAVPLANE_ROUTE_ATTEMPT_TIMEOUT_MS',
    default: '0',
    schema: integer(0, MAX_TIMER_MS, 'milliseconds'),
    doc: "Routed requests (docs/routing.md): longest wait for one attempt's response headers before it counts as a `timeout` and the route moves on, in ms; 0 = no bound of its own (only the request's deadline, NAVPLANE_UPSTREAM_TIMEOUT_MS, which bounds all attempts of a request together).",
  },
  breakerFailures: {
    env: 'NAVPLANE_BREAKER_FAILURES',
    default: '5',
    schema: integer(1, 1000, 'failures'),
    doc: 'Routed requests: consecutive failures (connect, timeout, 429, 5xx) after which a target\'s circuit breaker opens and the target is skipped (docs/routing.md, "Circuit breakers").',
  },
  breakerCooldownMs: {
    env: 'NAVPLANE_BREAKER_COOLDOWN_MS',
    default: '30000',
    schema: milliseconds(1, MAX_TIMER_MS),
    doc: 'Routed requests: how long an open circuit breaker keeps its target cut off before one request probes it (half-open), in ms.',
  },
  requestTimeoutMs: {
    env: 'NAVPLANE_REQUEST_TIMEOUT_MS',
    default: '300000',
    schema: milliseconds(1000, 3_600_000),
    doc: 'Longest a client may take to send one whole request (headers and body) to either server, in ms; a slower one gets 408 and the connection closes (1000-3600000). Responses (long streams) are not bounded by it.',
  },
  keepAliveTimeoutMs: {
    env: 'NAVPLANE_KEEP_ALIVE_TIMEOUT_MS',
    default: '65000',
    schema: milliseconds(1000, 600_000),
    doc: 'How long an idle client connection is kept open for its next request, in ms (1000-600000; above common load-balancer idle timeouts, 60 s).',
  },
  wsIdleTimeoutMs: {
    env: 'NAVPLANE_WS_IDLE_TIMEOUT_MS',
    default: '300000',
    schema: milliseconds(1000, MAX_TIMER_MS),
    doc: 'A proxied WebSocket (Realtime, Responses over WebSocket) with no message either way for this long is closed (1001 to the client), in ms.',
  },
  wsMaxSessionMs: {
    env: 'NAVPLANE_WS_MAX_SESSION_MS',
    default: '3600000',
    schema: milliseconds(1000, MAX_TIMER_MS),
    doc: "Longest a proxied WebSocket may stay open, in ms (1008 to the client after; OpenAI's Realtime sessions end at 60 minutes).",
  },
  logLevel: {
    env: 'NAVPLANE_LOG_LEVEL',
    default: 'info',
    schema: settingSchema(parseLogLevel),
    doc: 'winston level: error, warn, info, http, verbose, debug or silly; logs are JSON lines on stdout.',
  },
  trustProxy: {
    env: 'NAVPLANE_TRUST_PROXY',
    default: 'false',
    schema: settingSchema(parseTrustProxy),
    doc: 'Which proxy hops to trust for the client address, in Express `trust proxy` syntax: true, false, a hop count, or comma-separated addresses/subnets and loopback, linklocal, uniquelocal.',
  },
  authFailureLimit: {
    env: 'NAVPLANE_AUTH_FAILURE_LIMIT',
    default: '10',
    schema: integer(0, 1_000_000, 'failures'),
    doc: 'Brute-force throttling: failed authentications (gateway NavPlane keys, admin API credentials) one client address (as NAVPLANE_TRUST_PROXY derives it) may make per window; the next one, and then every attempt from that address, gets 429 `rate_limited` with `Retry-After` for one window, before any credential is checked (0 = off; see [security-keys.md](security-keys.md#brute-force-throttling)).',
  },
  authFailureWindowMs: {
    env: 'NAVPLANE_AUTH_FAILURE_WINDOW_MS',
    default: '60000',
    schema: milliseconds(100, 86_400_000),
    doc: 'Brute-force throttling: the window failed authentications are counted in, and how long an address over the limit is refused, in ms (100-86400000).',
  },
  adminCorsOrigins: {
    env: 'NAVPLANE_ADMIN_CORS_ORIGINS',
    default: undefined,
    schema: settingSchema(parseCorsOrigins),
    doc: 'Comma-separated http(s) origins (no path) a browser dashboard may call the admin API from; none by default.',
  },
  shutdownGraceMs: {
    env: 'NAVPLANE_SHUTDOWN_GRACE_MS',
    default: '30000',
    schema: milliseconds(1, MAX_TIMER_MS),
    doc: 'How long in-flight requests may finish after SIGTERM/SIGINT, in ms.',
  },
  changeFeedPollMs: {
    env: 'NAVPLANE_CHANGE_FEED_POLL_MS',
    default: '200',
    schema: milliseconds(10, 250),
    doc: 'SQLite change-feed poll interval in ms (10-250, so a kill switch reaches every process well within 1 s).',
  },
  traceQueueSize: {
    env: 'NAVPLANE_TRACE_QUEUE_SIZE',
    default: '10000',
    schema: integer(1, 1_000_000),
    doc: 'Most traces waiting to be written; when full, a trace is dropped and counted (1-1000000).',
  },
  traceBatchSize: {
    env: 'NAVPLANE_TRACE_BATCH_SIZE',
    default: '200',
    schema: integer(1, 10_000),
    doc: 'Most traces written in one batch (1-10000, at most the queue size).',
  },
  traceFlushMs: {
    env: 'NAVPLANE_TRACE_FLUSH_MS',
    default: '100',
    schema: milliseconds(1, 60_000),
    doc: 'Longest a queued trace waits before its batch is written, in ms (1-60000).',
  },
  traceSink: {
    env: 'NAVPLANE_TRACE_SINK',
    default: 'db',
    schema: settingSchema(parseTraceSink),
    doc: 'Where traces go: `db` (the batching writer into the database) or `none` (discarded, for benchmarks that compare tracing on and off; nothing is recorded).',
  },
  traceRetentionDays: {
    env: 'NAVPLANE_TRACE_RETENTION_DAYS',
    default: '30',
    schema: integer(0, 36_500, 'days'),
    doc: 'Traces (and forks) older than this many days are deleted in small batches by every gateway process (0 = keep forever; 0-36500). See [traces.md](traces.md#retention).',
  },
  traceRetentionSweepMs: {
    env: 'NAVPLANE_TRACE_RETENTION_SWEEP_MS',
    default: '3600000',
    schema: milliseconds(1000, 86_400_000),
    doc: 'How often the retention sweep runs, in ms (1000-86400000; the first sweep runs one interval after start).',
  },
  upstreamAllowlist: {
    env: 'NAVPLANE_UPSTREAM_ALLOWLIST',
    default: undefined,
    schema: settingSchema(parseUpstreamAllowlist),
    doc: 'Comma-separated host names, IP addresses or CIDRs that a tenant-supplied URL (an Azure OpenAI `baseUrl`) may reach although private, loopback or link-local; a host entry also lifts the `https` rule for that host (see [security-egress.md](security-egress.md)). None by default. Operator URLs (these settings, the config file) are trusted as given.',
  },
  redisUrl: {
    env: 'NAVPLANE_REDIS_URL',
    default: undefined,
    schema: settingSchema(parseRedisUrl),
    doc: 'Redis shared by every instance (`redis://[:password@]host[:port][/db]`, `rediss://` for TLS): the rate-limit counters and concurrency leases (see [limits.md](limits.md#across-instances-redis)) and brute-force throttling are then counted once for all instances; without it each process counts alone. The password is masked wherever the URL is shown.',
    maskPassword: true,
  },
  redisPrefix: {
    env: 'NAVPLANE_REDIS_PREFIX',
    default: 'navplane:',
    schema: settingSchema(parseRedisPrefix),
    doc: 'Prefix of every Redis key NavPlane writes, so several deployments (or test runs) can share one Redis (1-64 printable characters).',
  },
  limitsFailMode: {
    env: 'NAVPLANE_LIMITS_FAIL_MODE',
    default: 'open',
    schema: settingSchema(parseLimitsFailMode),
    doc: 'When Redis cannot be reached: `open` counts limits in this process meanwhile (one warning per outage, `navplane_limits_backend_errors_total`), `closed` answers requests under a limit with 503 `limits_unavailable` (see [limits.md](limits.md#when-redis-is-down)).',
  },
  providers: {
    env: null,
    fileKey: 'providers',
    default: undefined,
    schema: operatorProvidersSchema,
    doc: 'Config file only: operator-defined OpenAI-compatible providers (vLLM, Ollama, Groq, OpenRouter, DeepSeek…), a list of `{ id, baseUrl, auth }`, each routed at `/<id>/v1/*` to `<baseUrl>/v1/*` (see [Operator-defined providers](#operator-defined-providers)).',
  },
  // OpenTelemetry: the standard OTEL_* variables (docs/observability.md).
  ...OTEL_SETTINGS,
  nodeEnv: {
    env: 'NODE_ENV',
    default: 'development',
    schema: settingSchema(parseNonEmptyString),
    doc: 'Read from the environment only; `production` makes NAVPLANE_MASTER_KEY required.',
    envOnly: true,
  },
} satisfies Record<string, SettingDeclaration>;

/** The camelCase name of one setting (a field of NavPlaneConfig). */
export type SettingKey = keyof typeof SETTINGS;

/** One setting as the loader, describeConfig and the docs generator read it (derived from SETTINGS). */
export interface ConfigSettingMeta {
  /** The camelCase field of NavPlaneConfig. */
  readonly key: SettingKey;
  /** The environment variable; null for a setting read from the config file only. */
  readonly env: string | null;
  /** The config-file key (env name without `NAVPLANE_`, lower snake case); null = environment only. */
  readonly fileKey: string | null;
  /** The default in environment syntax; undefined = none. */
  readonly defaultValue: string | undefined;
  /** What the setting means, one line (Markdown). */
  readonly description: string;
  /** True when the value must never be shown (problems, describeConfig, logs). */
  readonly secret: boolean;
  /** True when the value is a URL whose password must be masked wherever it is shown. */
  readonly maskPassword: boolean;
}

function fileKeyOf(declared: SettingDeclaration): string | null {
  if (declared.env === null) return declared.fileKey ?? null;
  return declared.envOnly ? null : declared.env.replace(/^NAVPLANE_/, '').toLowerCase();
}

/** Every setting of SETTINGS as a row, in table order. */
export const CONFIG_SETTINGS: readonly ConfigSettingMeta[] = Object.freeze(
  (Object.entries(SETTINGS) as Array<[SettingKey, SettingDeclaration]>).map(([key, declared]) =>
    Object.freeze({
      key,
      env: declared.env,
      fileKey: fileKeyOf(declared),
      defaultValue: declared.default,
      description: declared.doc,
      secret: declared.secret ?? false,
      maskPassword: declared.maskPassword ?? false,
    }),
  ),
);

/** The variable naming the config file path. */
export const CONFIG_FILE_VARIABLE = 'NAVPLANE_CONFIG';

/** Where an effective value came from (lowest to highest precedence). */
export type ConfigSource = 'default' | 'file' | 'env';
