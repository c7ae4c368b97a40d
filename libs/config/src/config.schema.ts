import { ok } from '@navplane/core';
import { z } from 'zod';
import type { ConfigSource, SettingKey } from './config-settings';
import {
  MAX_TIMER_MS,
  parseAdminToken,
  parseBoolean,
  parseCorsOrigins,
  parseDatabaseUrlSetting,
  parseHost,
  parseHttpBaseUrl,
  parseInteger,
  parseLogLevel,
  parseMasterKey,
  parseMasterKeyList,
  parseNonEmptyString,
  parseTraceSink,
  parsePort,
  parseTrustProxy,
  type LogLevel,
  type ParseResult,
  type TraceSinkKind,
  type TrustProxy,
} from './setting-parsers';

// Every field takes the raw input (env string or file value) and owns its message, so what a
// problem says is written here and never comes from zod's generic text (which may echo input).
function setting<T>(parse: (raw: unknown) => ParseResult<T>) {
  return z.unknown().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  });
}

function optional<T>(parse: (raw: unknown) => ParseResult<T>) {
  return setting((raw) => (raw === undefined ? ok(undefined) : parse(raw)));
}

const milliseconds = (min: number, max: number) => setting((raw) => parseInteger(raw, min, max, 'milliseconds'));

const fields = {
  databaseUrl: setting(parseDatabaseUrlSetting),
  databasePoolSize: setting((raw) => parseInteger(raw, 1, 1000)),
  masterKey: optional(parseMasterKey),
  masterKeyPrevious: setting((raw) => (raw === undefined ? ok([]) : parseMasterKeyList(raw))),
  adminToken: optional(parseAdminToken),
  host: setting(parseHost),
  gatewayPort: setting(parsePort),
  adminPort: setting(parsePort),
  openaiBaseUrl: setting(parseHttpBaseUrl),
  anthropicBaseUrl: setting(parseHttpBaseUrl),
  captureBodies: setting(parseBoolean),
  captureMaxBytes: setting((raw) => parseInteger(raw, 1024, 16_777_216, 'characters')),
  policyMaxBodyBytes: setting((raw) => parseInteger(raw, 1024, 1_073_741_824, 'bytes')),
  policyTimeoutMs: milliseconds(1, 60_000),
  policyWorkers: setting((raw) => parseInteger(raw, 0, 256)),
  maxBodyBytes: setting((raw) => parseInteger(raw, 1, 1_073_741_824, 'bytes')),
  upstreamConnectTimeoutMs: milliseconds(1, MAX_TIMER_MS),
  upstreamTimeoutMs: milliseconds(1, MAX_TIMER_MS),
  requestTimeoutMs: milliseconds(1000, 3_600_000),
  keepAliveTimeoutMs: milliseconds(1000, 600_000),
  logLevel: setting(parseLogLevel),
  trustProxy: setting(parseTrustProxy),
  adminCorsOrigins: setting(parseCorsOrigins),
  shutdownGraceMs: milliseconds(1, MAX_TIMER_MS),
  changeFeedPollMs: milliseconds(10, 250),
  traceQueueSize: setting((raw) => parseInteger(raw, 1, 1_000_000)),
  traceBatchSize: setting((raw) => parseInteger(raw, 1, 10_000)),
  traceFlushMs: milliseconds(1, 60_000),
  traceSink: setting(parseTraceSink),
  traceRetentionDays: setting((raw) => parseInteger(raw, 0, 36_500, 'days')),
  traceRetentionSweepMs: milliseconds(1000, 86_400_000),
  nodeEnv: setting(parseNonEmptyString),
} satisfies Record<SettingKey, z.ZodType>;

/**
 * The zod schema of every setting, keyed by camelCase name; each field accepts an env string or a
 * YAML/JSON value. `loadConfig` applies defaults and precedence before parsing with it.
 */
export const configSettingsSchema = z.object(fields);

/** The typed settings, as the schema produces them. */
export type ConfigSettings = z.output<typeof configSettingsSchema>;

/** NavPlane's validated configuration (every setting typed, plus where each value came from). */
export interface NavPlaneConfig {
  /** `sqlite:<path>` or `postgres://…` (default `sqlite:./data/navplane.db`). */
  readonly databaseUrl: string;
  /** Postgres pool size (default 10). */
  readonly databasePoolSize: number;
  /** The vault's key-encryption key, 32 bytes decoded from base64 (default: none). */
  readonly masterKey?: Buffer;
  /** Master keys being rotated out, still accepted for reading (default: none). */
  readonly masterKeyPrevious: readonly Buffer[];
  /** Bootstrap platform-admin token (default: none). */
  readonly adminToken?: string;
  /** Bind address of both apps (default `127.0.0.1`). */
  readonly host: string;
  /** Gateway port, 0 = any free port (default 8080). */
  readonly gatewayPort: number;
  /** Admin API port, 0 = any free port (default 8081). */
  readonly adminPort: number;
  /** OpenAI upstream without trailing slash (default `https://api.openai.com`). */
  readonly openaiBaseUrl: string;
  /** Anthropic upstream without trailing slash (default `https://api.anthropic.com`). */
  readonly anthropicBaseUrl: string;
  /** Store redacted bodies in traces (default false). */
  readonly captureBodies: boolean;
  /** Most characters stored per captured body (default 65536). */
  readonly captureMaxBytes: number;
  /** Largest request body a redact_upstream/block policy evaluates, bytes (default 4194304). */
  readonly policyMaxBodyBytes: number;
  /** Longest one policy evaluation may take, ms (default 1000). */
  readonly policyTimeoutMs: number;
  /** Redaction worker threads; 0 = max(1, availableParallelism() - 1) (default 0). */
  readonly policyWorkers: number;
  /** Largest request body in bytes (default 20971520). */
  readonly maxBodyBytes: number;
  /** Connect timeout to a provider in ms (default 10000). */
  readonly upstreamConnectTimeoutMs: number;
  /** Wait for upstream response headers in ms (default 600000). */
  readonly upstreamTimeoutMs: number;
  /** Longest a client may take to send one whole request, ms (default 300000). */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive time of client connections, ms (default 65000). */
  readonly keepAliveTimeoutMs: number;
  /** winston level (default `info`). */
  readonly logLevel: LogLevel;
  /** The value for Express `app.set('trust proxy', …)` (default false). */
  readonly trustProxy: TrustProxy;
  /** Normalised origins allowed to call the admin API from a browser (default none). */
  readonly adminCorsOrigins: readonly string[];
  /** Grace for in-flight requests after SIGTERM in ms (default 30000). */
  readonly shutdownGraceMs: number;
  /** SQLite change-feed poll interval in ms (default 200). */
  readonly changeFeedPollMs: number;
  /** Trace queue capacity (default 10000). */
  readonly traceQueueSize: number;
  /** Traces per write batch (default 200). */
  readonly traceBatchSize: number;
  /** Longest wait before a partial batch is written in ms (default 100). */
  readonly traceFlushMs: number;
  /** Where traces go: `db` or `none` (default `db`). */
  readonly traceSink: TraceSinkKind;
  /** Days traces are kept; 0 = forever (default 30). */
  readonly traceRetentionDays: number;
  /** Interval of the retention sweep in ms (default 3600000). */
  readonly traceRetentionSweepMs: number;
  /** `NODE_ENV` (default `development`). */
  readonly nodeEnv: string;
  /** Absolute path of the config file read, when `NAVPLANE_CONFIG` was set. */
  readonly configFile?: string;
  /** Where each effective value came from. */
  readonly sources: Readonly<Record<SettingKey, ConfigSource>>;
}

// Compile-time guard: the hand-written interface and the schema's output stay the same shape.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Settings = Omit<NavPlaneConfig, 'configFile' | 'sources'>;
const _sameFields: SameKeys<ConfigSettings, Settings> = true;
const _assignable: Settings = {} as ConfigSettings;
void _sameFields;
void _assignable;
