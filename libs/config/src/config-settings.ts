/** Metadata of one setting: the row docs/configuration.md is written from. */
export interface ConfigSettingMeta {
  /** The camelCase field of NavPlaneConfig. */
  readonly key: string;
  /** The environment variable. */
  readonly env: string;
  /** The config-file key (env name without `NAVPLANE_`, lower snake case); null = environment only. */
  readonly fileKey: string | null;
  /** The default in environment syntax; undefined = none. */
  readonly defaultValue: string | undefined;
  /** What the setting means, one sentence. */
  readonly description: string;
  /** True when the value must never be shown (problems, describeConfig, logs). */
  readonly secret: boolean;
  /** True when the value is a URL whose password must be masked wherever it is shown. */
  readonly maskPassword: boolean;
}

const setting = <K extends string>(
  key: K,
  env: string,
  defaultValue: string | undefined,
  description: string,
  flags: { secret?: boolean; maskPassword?: boolean; envOnly?: boolean } = {},
) => ({
  key,
  env,
  fileKey: flags.envOnly ? null : env.replace(/^NAVPLANE_/, '').toLowerCase(),
  defaultValue,
  description,
  secret: flags.secret ?? false,
  maskPassword: flags.maskPassword ?? false,
});

/**
 * Every setting NavPlane reads (docs/configuration.md plus pool, change-feed and trace-queue tuning), in the
 * order docs and `config validate --format json` list them.
 */
export const CONFIG_SETTINGS = [
  setting(
    'databaseUrl',
    'NAVPLANE_DATABASE_URL',
    'sqlite:./data/navplane.db',
    'Database: `sqlite:<path>` (embedded, the default) or a `postgres://`/`postgresql://` URL.',
    { maskPassword: true },
  ),
  setting(
    'databasePoolSize',
    'NAVPLANE_DATABASE_POOL_SIZE',
    '10',
    'Largest number of Postgres connections per process (1-1000; unused with SQLite).',
  ),
  setting(
    'masterKey',
    'NAVPLANE_MASTER_KEY',
    undefined,
    "Base64 of 32 random bytes: the vault's key-encryption key. Without it `serve` creates `./data/master.key` once and warns; required when NODE_ENV=production.",
    { secret: true },
  ),
  setting(
    'masterKeyPrevious',
    'NAVPLANE_MASTER_KEY_PREVIOUS',
    undefined,
    'Comma-separated base64 master keys that are being rotated out: still accepted for reading stored keys until `navplane vault rotate-master` has re-wrapped everything under NAVPLANE_MASTER_KEY.',
    { secret: true },
  ),
  setting(
    'adminToken',
    'NAVPLANE_ADMIN_TOKEN',
    undefined,
    'Bootstrap platform-admin token for the admin API (at least 16 characters, no whitespace).',
    { secret: true },
  ),
  setting('host', 'NAVPLANE_HOST', '127.0.0.1', 'Bind address of both apps (IP address or hostname).'),
  setting('gatewayPort', 'NAVPLANE_GATEWAY_PORT', '8080', 'Gateway port (0-65535; 0 = any free port, printed at start).'),
  setting('adminPort', 'NAVPLANE_ADMIN_PORT', '8081', 'Admin API port (0-65535; 0 = any free port, printed at start).'),
  setting(
    'openaiBaseUrl',
    'NAVPLANE_OPENAI_BASE_URL',
    'https://api.openai.com',
    'OpenAI upstream (http/https; operator-set only, no client can choose an upstream; trailing slash dropped).',
  ),
  setting(
    'anthropicBaseUrl',
    'NAVPLANE_ANTHROPIC_BASE_URL',
    'https://api.anthropic.com',
    'Anthropic upstream (http/https; trailing slash dropped).',
  ),
  setting(
    'captureBodies',
    'NAVPLANE_CAPTURE_BODIES',
    'false',
    'Store request/response bodies in traces, always after redaction (true/false/1/0/yes/no).',
  ),
  setting(
    'captureMaxBytes',
    'NAVPLANE_CAPTURE_MAX_BYTES',
    '65536',
    'With body capture on: most characters stored per body (request, response); longer bodies are stored truncated and marked so (1024-16777216).',
  ),
  setting(
    'policyMaxBodyBytes',
    'NAVPLANE_POLICY_MAX_BODY_BYTES',
    '4194304',
    'Largest request body a `redact_upstream` or `block` policy evaluates, in bytes (decoded); larger bodies fail closed with 503 `policy_unavailable` (1024-1073741824).',
  ),
  setting(
    'policyTimeoutMs',
    'NAVPLANE_POLICY_TIMEOUT_MS',
    '1000',
    'Longest a `redact_upstream` or `block` policy may spend evaluating one request body, in ms; past it the request fails closed with 503 `policy_unavailable` (1-60000).',
  ),
  setting(
    'policyWorkers',
    'NAVPLANE_POLICY_WORKERS',
    '0',
    'Worker threads that decode and redact large bodies off the event loop, shared by every org (the CPU budget of redaction; more bodies wait in a bounded queue within `NAVPLANE_POLICY_TIMEOUT_MS`); 0 = one per CPU but one, at least one (0-256).',
  ),
  setting(
    'maxBodyBytes',
    'NAVPLANE_MAX_BODY_BYTES',
    '20971520',
    'Largest request body accepted, in bytes (20 MiB; 413 above; 1 to 1073741824).',
  ),
  setting(
    'upstreamConnectTimeoutMs',
    'NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS',
    '10000',
    'Connect timeout to a provider in ms (502 when it fails).',
  ),
  setting(
    'upstreamTimeoutMs',
    'NAVPLANE_UPSTREAM_TIMEOUT_MS',
    '600000',
    "Longest wait for the provider's response headers in ms (504 after), and the longest silence between two chunks of a response body (the connection is then ended).",
  ),
  setting(
    'requestTimeoutMs',
    'NAVPLANE_REQUEST_TIMEOUT_MS',
    '300000',
    'Longest a client may take to send one whole request (headers and body) to either server, in ms; a slower one gets 408 and the connection closes (1000-3600000). Responses (long streams) are not bounded by it.',
  ),
  setting(
    'keepAliveTimeoutMs',
    'NAVPLANE_KEEP_ALIVE_TIMEOUT_MS',
    '65000',
    'How long an idle client connection is kept open for its next request, in ms (1000-600000; above common load-balancer idle timeouts, 60 s).',
  ),
  setting(
    'logLevel',
    'NAVPLANE_LOG_LEVEL',
    'info',
    'winston level: error, warn, info, http, verbose, debug or silly; logs are JSON lines on stdout.',
  ),
  setting(
    'trustProxy',
    'NAVPLANE_TRUST_PROXY',
    'false',
    'Which proxy hops to trust for the client address, in Express `trust proxy` syntax: true, false, a hop count, or comma-separated addresses/subnets and loopback, linklocal, uniquelocal.',
  ),
  setting(
    'adminCorsOrigins',
    'NAVPLANE_ADMIN_CORS_ORIGINS',
    undefined,
    'Comma-separated http(s) origins (no path) a browser dashboard may call the admin API from; none by default.',
  ),
  setting('shutdownGraceMs', 'NAVPLANE_SHUTDOWN_GRACE_MS', '30000', 'How long in-flight requests may finish after SIGTERM/SIGINT, in ms.'),
  setting(
    'changeFeedPollMs',
    'NAVPLANE_CHANGE_FEED_POLL_MS',
    '200',
    'SQLite change-feed poll interval in ms (10-250, so a kill switch reaches every process well within 1 s).',
  ),
  setting(
    'traceQueueSize',
    'NAVPLANE_TRACE_QUEUE_SIZE',
    '10000',
    'Most traces waiting to be written; when full, a trace is dropped and counted (1-1000000).',
  ),
  setting('traceBatchSize', 'NAVPLANE_TRACE_BATCH_SIZE', '200', 'Most traces written in one batch (1-10000, at most the queue size).'),
  setting('traceFlushMs', 'NAVPLANE_TRACE_FLUSH_MS', '100', 'Longest a queued trace waits before its batch is written, in ms (1-60000).'),
  setting(
    'traceSink',
    'NAVPLANE_TRACE_SINK',
    'db',
    'Where traces go: `db` (the batching writer into the database) or `none` (discarded, for benchmarks that compare tracing on and off; nothing is recorded).',
  ),
  setting(
    'traceRetentionDays',
    'NAVPLANE_TRACE_RETENTION_DAYS',
    '30',
    'Traces (and forks) older than this many days are deleted in small batches by every gateway process (0 = keep forever; 0-36500).',
  ),
  setting(
    'traceRetentionSweepMs',
    'NAVPLANE_TRACE_RETENTION_SWEEP_MS',
    '3600000',
    'How often the retention sweep runs, in ms (1000-86400000; the first sweep runs one interval after start).',
  ),
  setting('nodeEnv', 'NODE_ENV', 'development', 'Read from the environment only; `production` makes NAVPLANE_MASTER_KEY required.', {
    envOnly: true,
  }),
] as const satisfies readonly ConfigSettingMeta[];

/** The camelCase name of one setting (a field of NavPlaneConfig). */
export type SettingKey = (typeof CONFIG_SETTINGS)[number]['key'];

/** The variable naming the config file path. */
export const CONFIG_FILE_VARIABLE = 'NAVPLANE_CONFIG';

/** Where an effective value came from (lowest to highest precedence). */
export type ConfigSource = 'default' | 'file' | 'env';
