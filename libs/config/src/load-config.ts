import { resolve } from 'node:path';
import { err, ok, type Result } from '@navplane/core';
import { readConfigFile } from './config-file';
import type { ConfigProblem } from './config-problems';
import { configSettingsSchema, type ConfigSettings, type NavPlaneConfig } from './config.schema';
import { CONFIG_FILE_VARIABLE, CONFIG_SETTINGS, type ConfigSettingMeta, type ConfigSource, type SettingKey } from './config-settings';
import { maskUrlCredentials, showRawValue } from './mask';

/** Options of loadConfig. */
export interface LoadConfigOptions {
  /** Directory a relative `NAVPLANE_CONFIG` path is resolved against (default: process.cwd()). */
  readonly cwd?: string;
}

/** The environment as loadConfig reads it (process.env or a test's plain object). */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** Unset, empty and blank variables all mean "not set", so `FOO=` in an env file does not override. */
function envValue(env: ConfigEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function pick(meta: ConfigSettingMeta, env: ConfigEnv, file: Readonly<Record<string, unknown>>): { raw: unknown; source: ConfigSource } {
  const fromEnv = meta.env === null ? undefined : envValue(env, meta.env);
  if (fromEnv !== undefined) return { raw: fromEnv, source: 'env' };
  const fromFile = meta.fileKey === null ? undefined : file[meta.fileKey];
  if (fromFile !== undefined && fromFile !== null) return { raw: fromFile, source: 'file' };
  return { raw: meta.defaultValue, source: 'default' };
}

function describeProblem(message: string, meta: ConfigSettingMeta, raw: unknown, source: ConfigSource): string {
  // A file-only setting's messages name the entry and field themselves (`providers[1].auth must be …`).
  if (meta.env === null) return message;
  const where = source === 'file' ? ` from config file key ${meta.fileKey}` : '';
  const shown = showRawValue(meta, raw);
  if (shown === undefined) return where === '' ? message : `${message} (set${where})`;
  // Any URL a problem quotes (a base URL, an origin) keeps its password to itself.
  return maskUrlCredentials(`${message} (got ${shown}${where})`);
}

/** Rules that span settings; each runs only when the settings it reads are individually valid. */
function crossSettingProblems(
  parsed: Partial<Record<SettingKey, unknown>>,
  raws: Partial<Record<SettingKey, unknown>>,
  failed: ReadonlySet<SettingKey>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (parsed.nodeEnv === 'production' && raws.masterKey === undefined && !failed.has('masterKey')) {
    problems.push({
      variable: 'NAVPLANE_MASTER_KEY',
      message: 'required when NODE_ENV=production (base64 of 32 random bytes, e.g. from `openssl rand -base64 32`)',
    });
  }
  const queue = parsed.traceQueueSize;
  const batch = parsed.traceBatchSize;
  if (typeof queue === 'number' && typeof batch === 'number' && batch > queue) {
    problems.push({
      variable: 'NAVPLANE_TRACE_BATCH_SIZE',
      message: `must not exceed NAVPLANE_TRACE_QUEUE_SIZE (${queue}) (got ${batch})`,
    });
  }
  return problems;
}

/**
 * Validates every setting from defaults < config file (`NAVPLANE_CONFIG`, YAML/JSON) < `env`.
 * Pure apart from reading that file. Returns the typed config, or every problem found (one per
 * bad setting, naming the variable; secrets are never echoed).
 */
export function loadConfig(env: ConfigEnv, options: LoadConfigOptions = {}): Result<NavPlaneConfig, ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const configPath = envValue(env, CONFIG_FILE_VARIABLE);
  const configFile = configPath === undefined ? undefined : resolve(options.cwd ?? process.cwd(), configPath.trim());
  let fileValues: Readonly<Record<string, unknown>> = {};
  if (configFile !== undefined) {
    const file = readConfigFile(configFile);
    fileValues = file.values;
    problems.push(...file.problems);
  }

  const raws: Partial<Record<SettingKey, unknown>> = {};
  const parsed: Partial<Record<SettingKey, unknown>> = {};
  const sources = {} as Record<SettingKey, ConfigSource>;
  const failed = new Set<SettingKey>();
  for (const meta of CONFIG_SETTINGS) {
    const { raw, source } = pick(meta, env, fileValues);
    raws[meta.key] = raw;
    sources[meta.key] = source;
    const result = configSettingsSchema.shape[meta.key].safeParse(raw);
    if (result.success) {
      parsed[meta.key] = result.data;
    } else {
      failed.add(meta.key);
      // One problem per issue: a list setting (`providers`) reports each bad entry on its own line.
      for (const issue of result.error.issues) {
        problems.push({ variable: meta.env ?? CONFIG_FILE_VARIABLE, message: describeProblem(issue.message, meta, raw, source) });
      }
    }
  }
  problems.push(...crossSettingProblems(parsed, raws, failed));
  if (problems.length > 0) return err(problems);

  // Every field parsed on its own above; parsing the whole object gives the typed result.
  return ok(frozenConfig(configSettingsSchema.parse(raws), sources, configFile));
}

function frozenConfig(settings: ConfigSettings, sources: Record<SettingKey, ConfigSource>, configFile: string | undefined): NavPlaneConfig {
  return Object.freeze({
    ...settings,
    adminCorsOrigins: Object.freeze([...settings.adminCorsOrigins]),
    masterKeyPrevious: Object.freeze([...settings.masterKeyPrevious]),
    ...(configFile === undefined ? {} : { configFile }),
    sources: Object.freeze(sources),
  });
}

/**
 * The configuration with every setting at its default (SETTINGS) and `overrides` on top (sourced `env`), as
 * loadConfig would return it, without reading any environment or file: for tests and tools that build the
 * libraries with the values NavPlane runs with.
 */
export function configWithDefaults(overrides: Partial<ConfigSettings> = {}): NavPlaneConfig {
  const defaults = configSettingsSchema.parse(Object.fromEntries(CONFIG_SETTINGS.map((meta) => [meta.key, meta.defaultValue])));
  const sources = Object.fromEntries(
    CONFIG_SETTINGS.map((meta): [SettingKey, ConfigSource] => [meta.key, Object.hasOwn(overrides, meta.key) ? 'env' : 'default']),
  ) as Record<SettingKey, ConfigSource>;
  return frozenConfig({ ...defaults, ...overrides }, sources, undefined);
}

/** loadConfig(process.env): the one place NavPlane reads process.env; apps' main.ts call it. */
export function loadConfigFromProcess(options: LoadConfigOptions = {}): Result<NavPlaneConfig, ConfigProblem[]> {
  return loadConfig(process.env, options);
}
