import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_SETTINGS } from './config-settings';
import { describeConfig } from './describe-config';
import { loadConfig } from './load-config';

describe('describeConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'navplane-describe-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every setting in table order with its effective value and source, JSON-safe', () => {
    const path = join(dir, 'navplane.yaml');
    writeFileSync(path, 'gateway_port: 9090\ntrust_proxy: loopback\n');
    const result = loadConfig({
      NAVPLANE_CONFIG: path,
      NAVPLANE_ADMIN_CORS_ORIGINS: 'https://dash.example.com',
      NODE_ENV: 'test',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const view = describeConfig(result.value);

    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(view.map((s) => s.variable)).toEqual(['NAVPLANE_CONFIG', ...CONFIG_SETTINGS.map((s) => s.env ?? s.fileKey)]);
    const byName = Object.fromEntries(view.map((s) => [s.variable, s]));
    expect(byName['NAVPLANE_CONFIG']).toEqual({
      variable: 'NAVPLANE_CONFIG',
      fileKey: null,
      value: path,
      source: 'env',
    });
    expect(byName['NAVPLANE_GATEWAY_PORT']).toEqual({
      variable: 'NAVPLANE_GATEWAY_PORT',
      fileKey: 'gateway_port',
      value: 9090,
      source: 'file',
    });
    expect(byName['NAVPLANE_TRUST_PROXY']?.value).toEqual(['loopback']);
    expect(byName['NAVPLANE_ADMIN_CORS_ORIGINS']).toMatchObject({
      value: ['https://dash.example.com'],
      source: 'env',
    });
    expect(byName['NAVPLANE_ADMIN_PORT']).toMatchObject({ value: 8081, source: 'default' });
    expect(byName['NODE_ENV']).toEqual({ variable: 'NODE_ENV', fileKey: null, value: 'test', source: 'env' });
  });

  it('reports no config file as null', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error('defaults must be valid');
    expect(describeConfig(result.value)[0]).toEqual({
      variable: 'NAVPLANE_CONFIG',
      fileKey: null,
      value: null,
      source: 'default',
    });
  });
});
