import { z } from 'zod';
import { SETTINGS, type ConfigSource, type SettingKey } from './config-settings';

type SettingSchemas = { readonly [K in SettingKey]: (typeof SETTINGS)[K]['schema'] };

/**
 * The zod schema of every setting, keyed by camelCase name, built from SETTINGS; each field accepts an env
 * string or a YAML/JSON value. `loadConfig` applies defaults and precedence before parsing with it.
 */
export const configSettingsSchema = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([key, declared]) => [key, declared.schema])) as SettingSchemas,
);

/** The typed settings, as the schema produces them. */
export type ConfigSettings = z.output<typeof configSettingsSchema>;

/** NavPlane's validated configuration: every setting typed (see SETTINGS), plus where each value came from. */
export type NavPlaneConfig = Readonly<ConfigSettings> & {
  /** Absolute path of the config file read, when `NAVPLANE_CONFIG` was set. */
  readonly configFile?: string;
  /** Where each effective value came from. */
  readonly sources: Readonly<Record<SettingKey, ConfigSource>>;
};
