import type { NavPlaneConfig } from './config.schema';
import { CONFIG_FILE_VARIABLE, CONFIG_SETTINGS, type ConfigSource } from './config-settings';
import { maskDatabaseUrl } from './mask';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One setting as `config validate --format json` and `doctor` show it. */
export interface ConfigSettingView {
  /** The environment variable (for a setting read from the config file only: its file key). */
  readonly variable: string;
  /** The config-file key, or null for environment-only settings. */
  readonly fileKey: string | null;
  /** The effective value; secrets as "set"/"not set", the database URL with its password masked. */
  readonly value: JsonValue;
  /** Where the value came from. */
  readonly source: ConfigSource;
}

function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJson);
  return value as JsonValue;
}

/**
 * A JSON-safe view of `config` for `config validate --format json` and `doctor`: `NAVPLANE_CONFIG`
 * (the file read, or null) then every setting in CONFIG_SETTINGS order, each with its effective
 * value and source. Secrets appear only as "set"/"not set", the database URL with its password masked.
 */
export function describeConfig(config: NavPlaneConfig): ConfigSettingView[] {
  const file: ConfigSettingView = {
    variable: CONFIG_FILE_VARIABLE,
    fileKey: null,
    value: config.configFile ?? null,
    source: config.configFile === undefined ? 'default' : 'env',
  };
  return [
    file,
    ...CONFIG_SETTINGS.map((meta): ConfigSettingView => {
      const value = config[meta.key];
      let shown: JsonValue;
      if (meta.secret) shown = isUnset(value) ? 'not set' : 'set';
      else if (meta.maskPassword && typeof value === 'string') shown = maskDatabaseUrl(value);
      else shown = toJson(value);
      return {
        variable: meta.env ?? meta.fileKey ?? meta.key,
        fileKey: meta.fileKey,
        value: shown,
        source: config.sources?.[meta.key] ?? 'default',
      };
    }),
  ];
}

/** A secret's value counts as not set when absent or empty (an empty list, or an empty header map such as OTEL_*_HEADERS). */
function isUnset(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}
