import { isIP } from 'node:net';
import { DATABASE_URL_EXPECTED, err, ok, parseDatabaseUrl, type Result } from '@navplane/core';

// Each parser takes the raw input of one setting — a string from the environment or any YAML/JSON
// value from the config file — and returns the typed value or a message saying what was expected.
// Messages never contain the raw value of a secret setting: the loader appends the value it got
// (masked where needed) for non-secret settings only.

/** The outcome of parsing one raw setting: the typed value or what was expected. */
export type ParseResult<T> = Result<T, string>;

/** winston's npm levels, most to least severe (`NAVPLANE_LOG_LEVEL`). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** One of winston's npm levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The value Express expects for `app.set('trust proxy', …)`: a boolean, a hop count or addresses. */
export type TrustProxy = boolean | number | readonly string[];

/** Largest delay Node's timers honour (2^31 - 1 ms); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// Standard or URL-safe alphabet, padding optional; Buffer.from(…, 'base64') alone would silently
// skip invalid characters.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Parses a boolean: true/false/1/0/yes/no (case-insensitive), or a YAML/JSON boolean. */
export function parseBoolean(raw: unknown): ParseResult<boolean> {
  const expected = 'must be one of true, false, 1, 0, yes, no';
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'number' && (raw === 0 || raw === 1)) return ok(raw === 1);
  if (typeof raw !== 'string') return err(expected);
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return err(expected);
}

/** Parses a whole number in [min, max] from digits or a YAML/JSON integer; `unit` words the message. */
export function parseInteger(raw: unknown, min: number, max: number, unit?: string): ParseResult<number> {
  const expected = unit ? `must be a whole number of ${unit} from ${min} to ${max}` : `must be an integer from ${min} to ${max}`;
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && /^\d+$/.test(raw.trim())) value = Number(raw.trim());
  else return err(expected);
  if (!Number.isSafeInteger(value) || value < min || value > max) return err(expected);
  return ok(value);
}

/** Parses a TCP port: 0..65535, where 0 means any free port. */
export function parsePort(raw: unknown): ParseResult<number> {
  return parseInteger(raw, 0, 65535);
}

/** Parses a bind address: an IPv4/IPv6 address or a hostname. */
export function parseHost(raw: unknown): ParseResult<string> {
  const expected = 'must be an IP address or a hostname such as 127.0.0.1, 0.0.0.0, :: or localhost';
  if (typeof raw !== 'string') return err(expected);
  const host = raw.trim();
  if (isIP(host) !== 0 || HOSTNAME.test(host)) return ok(host);
  return err(expected);
}

/** Parses a provider base URL: absolute http(s), no credentials/query/fragment; trailing slashes dropped. */
export function parseHttpBaseUrl(raw: unknown): ParseResult<string> {
  const expected = 'must be an absolute http:// or https:// URL such as https://api.openai.com';
  if (typeof raw !== 'string') return err(expected);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return err(expected);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return err(expected);
  if (url.username !== '' || url.password !== '') return err('must not contain credentials');
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    return err('must not contain a query string or fragment');
  }
  return ok(`${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`);
}

/**
 * Parses `NAVPLANE_DATABASE_URL` with the one database-URL parser (`parseDatabaseUrl` of `@navplane/core`,
 * which `openDatabase` uses too, so a URL that validates opens); the value is kept as given, trimmed.
 */
export function parseDatabaseUrlSetting(raw: unknown): ParseResult<string> {
  if (typeof raw !== 'string') return err(DATABASE_URL_EXPECTED);
  const parsed = parseDatabaseUrl(raw);
  return parsed.ok ? ok(raw.trim()) : parsed;
}

/** Parses a master key: base64 (standard or URL-safe) of exactly 32 bytes; the message never shows the key. */
export function parseMasterKey(raw: unknown): ParseResult<Buffer> {
  const expected = 'must be base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`); the value is not shown';
  if (typeof raw !== 'string') return err(expected);
  const text = raw.trim();
  if (!BASE64.test(text)) return err(expected);
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== 32) return err(expected);
  return ok(bytes);
}

/** Parses a comma-separated list of master keys (each base64 of 32 bytes); never shows a value. */
export function parseMasterKeyList(raw: unknown): ParseResult<readonly Buffer[]> {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (items === undefined) return err('must be a comma-separated list of base64 keys of 32 bytes each; the value is not shown');
  const keys: Buffer[] = [];
  for (const [index, item] of items.entries()) {
    if (typeof item === 'string' && item.trim() === '') continue;
    const key = parseMasterKey(item);
    if (!key.ok) return err(`item ${index + 1} ${key.error}`);
    keys.push(key.value);
  }
  return ok(keys);
}

/** Minimum length of the bootstrap admin token, so a guessable one cannot be configured. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Parses the bootstrap admin token: at least 16 characters, no whitespace; the message never shows it. */
export function parseAdminToken(raw: unknown): ParseResult<string> {
  const expected = `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters with no whitespace; the value is not shown`;
  if (typeof raw !== 'string') return err(expected);
  const token = raw.trim();
  if (token.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(token)) return err(expected);
  return ok(token);
}

/** Parses a winston npm level name (case-insensitive). */
export function parseLogLevel(raw: unknown): ParseResult<LogLevel> {
  const level = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  const found = LOG_LEVELS.find((candidate) => candidate === level);
  return found ? ok(found) : err(`must be one of ${LOG_LEVELS.join(', ')}`);
}

/** Where traces go (`NAVPLANE_TRACE_SINK`): the database, or nowhere (benchmarks of tracing off). */
export const TRACE_SINKS = ['db', 'none'] as const;

/** One of TRACE_SINKS. */
export type TraceSinkKind = (typeof TRACE_SINKS)[number];

/** Parses a trace sink name: `db` or `none` (case-insensitive). */
export function parseTraceSink(raw: unknown): ParseResult<TraceSinkKind> {
  const name = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  const found = TRACE_SINKS.find((candidate) => candidate === name);
  return found ? ok(found) : err(`must be one of ${TRACE_SINKS.join(', ')}`);
}

/** True for an IP address or a subnet `ip/prefix` (`ip/netmask` for IPv4), as proxy-addr accepts. */
function isAddressOrSubnet(entry: string): boolean {
  const [address = '', range, ...extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

function parseTrustProxyEntries(entries: readonly unknown[]): ParseResult<readonly string[]> {
  const out: string[] = [];
  for (const entry of entries) {
    const text = typeof entry === 'string' ? entry.trim() : '';
    const named = text.toLowerCase();
    if (TRUST_PROXY_NAMES.has(named)) out.push(named);
    else if (isAddressOrSubnet(text)) out.push(text);
    else {
      return err(
        `must be true, false, a hop count, or comma-separated IP addresses/subnets or loopback, linklocal, ` +
          `uniquelocal (${JSON.stringify(typeof entry === 'string' ? text : entry)} is none of these)`,
      );
    }
  }
  if (out.length === 0) return err('must be true, false, a hop count, or a list of addresses/subnets');
  return ok(out);
}

/**
 * Parses Express `trust proxy` syntax into the value Express expects: `true`/`false`, a hop count
 * (number), or a list of addresses, subnets and the names loopback, linklocal, uniquelocal.
 */
export function parseTrustProxy(raw: unknown): ParseResult<TrustProxy> {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'number') return parseInteger(raw, 0, 1000, 'hops');
  if (Array.isArray(raw)) return parseTrustProxyEntries(raw);
  if (typeof raw !== 'string') return err('must be true, false, a hop count, or a list of addresses/subnets');
  const text = raw.trim();
  const lower = text.toLowerCase();
  if (lower === 'true') return ok(true);
  if (lower === 'false') return ok(false);
  if (/^\d+$/.test(text)) return parseInteger(text, 0, 1000, 'hops');
  return parseTrustProxyEntries(text.split(','));
}

/** Parses allowed CORS origins: comma-separated (or a YAML/JSON list) http(s) origins with no path. */
export function parseCorsOrigins(raw: unknown): ParseResult<readonly string[]> {
  if (raw === undefined) return ok([]);
  const expected = 'must be comma-separated http(s) origins with no path, such as https://dashboard.example.com';
  let entries: unknown[];
  if (typeof raw === 'string') entries = raw.split(',');
  else if (Array.isArray(raw)) entries = raw;
  else return err(expected);
  const origins: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') return err(expected);
    const text = entry.trim();
    if (text === '') continue; // tolerate a trailing comma
    const origin = toOrigin(text);
    if (origin === undefined) {
      return err(`${expected} (${JSON.stringify(text)} is not one)`);
    }
    if (!origins.includes(origin)) origins.push(origin);
  }
  return ok(origins);
}

function toOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  // `https://a.example/` is the same origin as `https://a.example`; any longer path is a mistake.
  if (url.pathname !== '/' || /[?#]/.test(text)) return undefined;
  const withoutSlash = text.replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+$/i.test(withoutSlash)) return undefined;
  return url.origin;
}

/** Parses an optional free-form string (`NODE_ENV`): trimmed, non-empty. */
export function parseNonEmptyString(raw: unknown): ParseResult<string> {
  if (typeof raw === 'string' && raw.trim() !== '') return ok(raw.trim());
  return err('must be a non-empty string');
}

// As @navplane/egress reads NAVPLANE_UPSTREAM_ALLOWLIST (parseEgressAllowlist): host names (underscores allowed, a
// trailing dot ignored), IP addresses (IPv6 with or without brackets) and CIDRs. A test of libs/runtime holds the two
// readers to the same answers.
const ALLOWLIST_HOST = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

const unbracket = (text: string): string => (text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);

function isAllowlistEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const family = isIP(unbracket(entry.slice(0, slash)));
    const prefixText = entry.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    return family !== 0 && prefix >= 0 && prefix <= (family === 4 ? 32 : 128);
  }
  const host = unbracket(entry).toLowerCase().replace(/\.$/, '');
  return isIP(host) !== 0 || ALLOWLIST_HOST.test(host);
}

/**
 * `NAVPLANE_UPSTREAM_ALLOWLIST`: comma-separated host names, IP addresses and CIDRs (or a YAML list) that a
 * tenant-supplied URL may reach although private (docs/security-egress.md); the entries, trimmed, in order.
 */
export function parseUpstreamAllowlist(raw: unknown): ParseResult<readonly string[]> {
  if (raw === undefined) return ok([]);
  const expected = 'must be comma-separated host names, IP addresses or CIDRs, such as vllm.internal,10.0.0.0/8';
  let entries: unknown[];
  if (typeof raw === 'string') entries = raw.split(',');
  else if (Array.isArray(raw)) entries = raw;
  else return err(expected);
  const out: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') return err(expected);
    const text = entry.trim();
    if (text === '') continue;
    if (!isAllowlistEntry(text)) return err(`${expected} (${JSON.stringify(text.slice(0, 100))} is none of them)`);
    if (!out.includes(text)) out.push(text);
  }
  return ok(out);
}

/**
 * `NAVPLANE_REDIS_URL`: a `redis://` or `rediss://` (TLS) URL with a host, as ioredis reads it
 * (`redis://:password@host:6379/0`); kept as given, trimmed. The message never shows the value (it may hold a password).
 */
export function parseRedisUrl(raw: unknown): ParseResult<string | undefined> {
  if (raw === undefined) return ok(undefined);
  const expected = 'must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379';
  if (typeof raw !== 'string') return err(expected);
  const text = raw.trim();
  if (text === '') return ok(undefined);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err(expected);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return err(expected);
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) {
    return err(`${expected}; its path, if any, is a database number (/0 to /99)`);
  }
  return ok(text);
}

/** `NAVPLANE_REDIS_PREFIX`: 1-64 printable ASCII characters, no whitespace (every NavPlane key starts with it). */
export function parseRedisPrefix(raw: unknown): ParseResult<string> {
  if (typeof raw === 'string' && /^[\x21-\x7e]{1,64}$/.test(raw.trim())) return ok(raw.trim());
  return err('must be 1 to 64 printable characters without whitespace, such as navplane:');
}

/** What limit enforcement does when its shared store (Redis) cannot be reached (`NAVPLANE_LIMITS_FAIL_MODE`). */
export const LIMITS_FAIL_MODES = ['open', 'closed'] as const;

/** One of LIMITS_FAIL_MODES. */
export type LimitsFailMode = (typeof LIMITS_FAIL_MODES)[number];

/** Parses `open` or `closed` (case-insensitive). */
export function parseLimitsFailMode(raw: unknown): ParseResult<LimitsFailMode> {
  const name = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  const found = LIMITS_FAIL_MODES.find((candidate) => candidate === name);
  return found ? ok(found) : err(`must be one of ${LIMITS_FAIL_MODES.join(', ')}`);
}
