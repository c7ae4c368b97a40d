import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SETTINGS } from './config-settings';
import { configSettingsSchema } from './config.schema';

const DOCS = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');

describe('CONFIG_SETTINGS', () => {
  it.each(CONFIG_SETTINGS.map((row) => [row.env ?? row.key, row] as const))('%s is consistent', (_env, row) => {
    expect(configSettingsSchema.shape).toHaveProperty(row.key);
    if (row.fileKey !== null && row.env !== null) expect(row.fileKey).toBe(row.env.replace(/^NAVPLANE_/, '').toLowerCase());
    expect(row.env ?? row.fileKey).not.toBeNull();
    if (row.defaultValue !== undefined) {
      expect(configSettingsSchema.shape[row.key].safeParse(row.defaultValue).success).toBe(true);
    }
    expect(row.secret && row.defaultValue !== undefined).toBe(false);
  });

  it('has unique variables and file keys', () => {
    expect(new Set(CONFIG_SETTINGS.map((row) => row.env)).size).toBe(CONFIG_SETTINGS.length);
    expect(new Set(CONFIG_SETTINGS.map((row) => row.key)).size).toBe(CONFIG_SETTINGS.length);
  });
});

describe('docs/configuration.md', () => {
  // The reference table rows look like: | `NAVPLANE_X` | `x` | `default` | meaning |
  const rows = new Map(
    DOCS.split('\n')
      .map((line) => /^\| `([A-Z_]+)` \| (.*?) \| (.*?) \|/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], { fileKey: match[2], defaultValue: match[3] }]),
  );

  const byVariable = CONFIG_SETTINGS.flatMap((row) => (row.env === null ? [] : [[row.env, row] as const]));

  it.each(byVariable)('documents %s with its file key and default', (env, row) => {
    const documented = rows.get(env);
    expect(documented).toBeDefined();
    expect(documented?.fileKey).toBe(row.fileKey === null ? '—' : `\`${row.fileKey}\``);
    expect(documented?.defaultValue).toBe(row.defaultValue === undefined ? 'none' : `\`${row.defaultValue}\``);
  });

  it('documents no setting that does not exist', () => {
    expect([...rows.keys()].sort()).toEqual(byVariable.map(([env]) => env).sort());
  });

  it('documents the config file variable and the validate command', () => {
    expect(DOCS).toContain('NAVPLANE_CONFIG');
    expect(DOCS).toContain('npx navplane config validate');
  });
});
