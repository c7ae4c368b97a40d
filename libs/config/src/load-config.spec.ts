import { expect } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@navplane/core';
import type { ConfigProblem } from './config-problems';
import type { NavPlaneConfig } from './config.schema';
import { CONFIG_SETTINGS } from './config-settings';
import { loadConfig } from './load-config';

const MASTER_KEY = Buffer.alloc(32, 1);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'navplane-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function config(result: Result<NavPlaneConfig, ConfigProblem[]>): NavPlaneConfig {
  if (!result.ok) throw new Error(`expected a valid config, got:\n${JSON.stringify(result.error, null, 2)}`);
  return result.value;
}

function problems(result: Result<NavPlaneConfig, ConfigProblem[]>): ConfigProblem[] {
  if (result.ok) throw new Error('expected problems, got a valid config');
  return result.error;
}

// One row per setting: its default, a valid non-default value in env syntax and in a config file,
// and what each parses to, plus an invalid value and the message it must produce.
const ROWS = [
  [
    'databaseUrl',
    'sqlite:./data/navplane.db',
    'postgres://postgres@127.0.0.1:5432/navplane',
    'postgres://postgres@127.0.0.1:5432/navplane',
    'mysql://x',
    'must be sqlite:<path>',
  ],
  ['databasePoolSize', 10, '25', 25, '0', 'must be an integer from 1 to 1000'],
  ['masterKey', undefined, MASTER_KEY.toString('base64'), MASTER_KEY, 'too-short', 'must be base64 of exactly 32 bytes'],
  [
    'masterKeyPrevious',
    [],
    `${MASTER_KEY.toString('base64')},${Buffer.alloc(32, 7).toString('base64')}`,
    [MASTER_KEY, Buffer.alloc(32, 7)],
    'too-short',
    'item 1 must be base64 of exactly 32 bytes',
  ],
  ['adminToken', undefined, 'adm-token-0123456789', 'adm-token-0123456789', 'short', 'must be at least 16 characters'],
  ['host', '127.0.0.1', '0.0.0.0', '0.0.0.0', 'not a host', 'must be an IP address or a hostname'],
  ['gatewayPort', 8080, '9090', 9090, 'abc', 'must be an integer from 0 to 65535'],
  ['adminPort', 8081, '0', 0, '65536', 'must be an integer from 0 to 65535'],
  [
    'openaiBaseUrl',
    'https://api.openai.com',
    'http://127.0.0.1:4000/',
    'http://127.0.0.1:4000',
    'file:///etc',
    'must be an absolute http:// or https:// URL',
  ],
  [
    'anthropicBaseUrl',
    'https://api.anthropic.com',
    'http://127.0.0.1:4001',
    'http://127.0.0.1:4001',
    'nope',
    'must be an absolute http:// or https:// URL',
  ],
  [
    'geminiBaseUrl',
    'https://generativelanguage.googleapis.com',
    'http://127.0.0.1:4002/',
    'http://127.0.0.1:4002',
    'ftp://example.com',
    'must be an absolute http:// or https:// URL',
  ],
  [
    'mistralBaseUrl',
    'https://api.mistral.ai',
    'https://mistral.internal.example/proxy/',
    'https://mistral.internal.example/proxy',
    'https://api.mistral.ai/v1?x=1',
    'must not contain a query string or fragment',
  ],
  ['captureBodies', false, 'yes', true, 'maybe', 'must be one of true, false, 1, 0, yes, no'],
  ['captureMaxBytes', 65536, '4096', 4096, '10', 'must be a whole number of characters from 1024 to 16777216'],
  ['policyMaxBodyBytes', 4194304, '1048576', 1048576, '0', 'must be a whole number of bytes from 1024 to 1073741824'],
  ['policyTimeoutMs', 1000, '250', 250, '60001', 'must be a whole number of milliseconds from 1 to 60000'],
  ['policyWorkers', 0, '3', 3, '257', 'must be an integer from 0 to 256'],
  ['maxBodyBytes', 20971520, '1048576', 1048576, '-5', 'must be a whole number of bytes from 1 to 1073741824'],
  ['upstreamConnectTimeoutMs', 10000, '2500', 2500, '0', 'must be a whole number of milliseconds from 1 to 2147483647'],
  ['upstreamTimeoutMs', 600000, '120000', 120000, '10s', 'must be a whole number of milliseconds from 1 to 2147483647'],
  ['routeAttemptTimeoutMs', 0, '30000', 30000, '-1', 'must be a whole number of milliseconds from 0 to 2147483647'],
  ['breakerFailures', 5, '3', 3, '0', 'must be a whole number of failures from 1 to 1000'],
  ['breakerCooldownMs', 30000, '1000', 1000, '0', 'must be a whole number of milliseconds from 1 to 2147483647'],
  ['requestTimeoutMs', 300000, '30000', 30000, '500', 'must be a whole number of milliseconds from 1000 to 3600000'],
  ['keepAliveTimeoutMs', 65000, '5000', 5000, '600001', 'must be a whole number of milliseconds from 1000 to 600000'],
  ['wsIdleTimeoutMs', 300000, '60000', 60000, '999', 'must be a whole number of milliseconds from 1000 to 2147483647'],
  ['wsMaxSessionMs', 3600000, '1800000', 1800000, '1h', 'must be a whole number of milliseconds from 1000 to 2147483647'],
  ['logLevel', 'info', 'DEBUG', 'debug', 'loud', 'must be one of error, warn, info, http, verbose, debug, silly'],
  ['trustProxy', false, 'loopback,10.0.0.0/8', ['loopback', '10.0.0.0/8'], 'everyone', 'must be true, false, a hop count'],
  ['authFailureLimit', 10, '0', 0, '-1', 'must be a whole number of failures from 0 to 1000000'],
  ['authFailureWindowMs', 60000, '1000', 1000, '99', 'must be a whole number of milliseconds from 100 to 86400000'],
  [
    'adminCorsOrigins',
    [],
    'https://dash.example.com,http://localhost:3000',
    ['https://dash.example.com', 'http://localhost:3000'],
    'https://dash.example.com/app',
    'must be comma-separated http(s) origins',
  ],
  [
    'upstreamAllowlist',
    [],
    ' vllm.internal, 10.0.0.0/8,[fd00::5],127.0.0.1 ',
    ['vllm.internal', '10.0.0.0/8', '[fd00::5]', '127.0.0.1'],
    '10.0.0.0/33',
    'must be comma-separated host names, IP addresses or CIDRs',
  ],
  [
    'redisUrl',
    undefined,
    ' redis://127.0.0.1:6379/1 ',
    'redis://127.0.0.1:6379/1',
    'http://127.0.0.1:6379',
    'must be a redis:// or rediss:// URL',
  ],
  ['redisPrefix', 'navplane:', 'staging:np:', 'staging:np:', 'has space', 'must be 1 to 64 printable characters'],
  ['limitsFailMode', 'open', 'CLOSED', 'closed', 'shut', 'must be one of open, closed'],
  ['shutdownGraceMs', 30000, '5000', 5000, '1.5', 'must be a whole number of milliseconds from 1 to 2147483647'],
  ['changeFeedPollMs', 200, '50', 50, '5', 'must be a whole number of milliseconds from 10 to 250'],
  ['traceQueueSize', 10000, '500', 500, '0', 'must be an integer from 1 to 1000000'],
  ['traceBatchSize', 200, '50', 50, '10001', 'must be an integer from 1 to 10000'],
  ['traceFlushMs', 100, '1000', 1000, '60001', 'must be a whole number of milliseconds from 1 to 60000'],
  ['traceSink', 'db', 'NONE', 'none', 'file', 'must be one of db, none'],
  ['traceRetentionDays', 30, '0', 0, '36501', 'must be a whole number of days from 0 to 36500'],
  ['traceRetentionSweepMs', 3600000, '60000', 60000, '999', 'must be a whole number of milliseconds from 1000 to 86400000'],
  ['otelSdkDisabled', false, 'true', true, 'maybe', 'must be one of true, false'],
  [
    'otelEndpoint',
    undefined,
    'http://127.0.0.1:4318',
    'http://127.0.0.1:4318',
    'collector:4318',
    'must be an absolute http:// or https:// URL',
  ],
  [
    'otelTracesEndpoint',
    undefined,
    'https://otel.example.com/v1/traces',
    'https://otel.example.com/v1/traces',
    'ftp://x',
    'must be an absolute http',
  ],
  ['otelMetricsEndpoint', undefined, 'https://otel.example.com/m', 'https://otel.example.com/m', 'nope', 'must be an absolute http'],
  ['otelProtocol', 'http/protobuf', 'HTTP/JSON', 'http/json', 'grpc', 'grpc is not supported'],
  ['otelTracesProtocol', undefined, 'http/json', 'http/json', 'udp', 'must be http/protobuf or http/json'],
  ['otelMetricsProtocol', undefined, 'http/protobuf', 'http/protobuf', 'udp', 'must be http/protobuf or http/json'],
  [
    'otelHeaders',
    {},
    'x-token=a%20b,tenant=t1',
    { 'x-token': 'a b', tenant: 't1' },
    'no-equals',
    'must be comma-separated key=value pairs',
  ],
  ['otelTracesHeaders', {}, 'a=1', { a: '1' }, '=1', 'must be comma-separated key=value pairs'],
  ['otelMetricsHeaders', {}, 'b=2', { b: '2' }, 'b=%zz', 'must be comma-separated key=value pairs'],
  ['otelServiceName', 'navplane', ' edge-gw ', 'edge-gw', ' ', undefined],
  [
    'otelResourceAttributes',
    {},
    'deployment.environment.name=prod',
    { 'deployment.environment.name': 'prod' },
    'x',
    'must be comma-separated',
  ],
  ['otelBspScheduleDelay', 5000, '200', 200, '0', 'must be a whole number of milliseconds from 1 to 3600000'],
  ['otelBspExportTimeout', 30000, '1000', 1000, '0', 'must be a whole number of milliseconds from 1 to 3600000'],
  ['otelBspMaxQueueSize', 2048, '100', 100, '0', 'must be an integer from 1 to 1000000'],
  ['otelBspMaxExportBatchSize', 512, '64', 64, '0', 'must be an integer from 1 to 1000000'],
  ['otelMetricExportInterval', 60000, '1000', 1000, '0', 'must be a whole number of milliseconds from 1 to 86400000'],
  ['otelMetricExportTimeout', 30000, '1000', 1000, '0', 'must be a whole number of milliseconds from 1 to 3600000'],
  ['nodeEnv', 'development', 'test', 'test', undefined, undefined],
] as const;

const meta = (key: string) => {
  const found = CONFIG_SETTINGS.find((row) => row.key === key);
  if (!found || found.env === null) throw new Error(`no setting ${key} with a variable`);
  return { ...found, env: found.env };
};

it('covers every setting of CONFIG_SETTINGS with a variable (the file-only providers: operator-providers.spec)', () => {
  expect(ROWS.map(([key]) => key).sort()).toEqual(
    CONFIG_SETTINGS.filter((row) => row.env !== null)
      .map((row) => row.key)
      .sort(),
  );
});

describe.each(ROWS)('%s', (key, defaultValue, envText, parsed, invalid, message) => {
  const { env, fileKey } = meta(key);

  it('has its default when nothing is set', () => {
    const loaded = config(loadConfig({}));
    expect(loaded[key]).toEqual(defaultValue);
    expect(loaded.sources[key]).toBe('default');
  });

  it('reads the environment', () => {
    const loaded = config(loadConfig({ [env]: envText }));
    expect(loaded[key]).toEqual(parsed);
    expect(loaded.sources[key]).toBe('env');
  });

  it('treats an empty environment variable as unset', () => {
    expect(config(loadConfig({ [env]: '' }))[key]).toEqual(defaultValue);
  });

  if (fileKey !== null) {
    it('reads the YAML config file', () => {
      const path = writeFile('navplane.yaml', `${fileKey}: ${JSON.stringify(envText)}\n`);
      const fromFile = config(loadConfig({ NAVPLANE_CONFIG: path }));
      expect(fromFile[key]).toEqual(parsed);
      expect(fromFile.sources[key]).toBe('file');
    });

    it('lets the environment win over the file (only the effective value is validated)', () => {
      const path = writeFile('navplane.yaml', `${fileKey}: ${JSON.stringify(invalid)}\n`);
      const loaded = config(loadConfig({ NAVPLANE_CONFIG: path, [env]: envText }));
      expect(loaded[key]).toEqual(parsed);
      expect(loaded.sources[key]).toBe('env');
    });

    it('reads the JSON config file', () => {
      const path = writeFile('navplane.json', JSON.stringify({ [fileKey]: envText }));
      expect(config(loadConfig({ NAVPLANE_CONFIG: path }))[key]).toEqual(parsed);
    });
  }

  if (invalid !== undefined && message !== undefined) {
    it('reports an invalid value as one problem naming the variable', () => {
      const found = problems(loadConfig({ [env]: invalid }));
      expect(found).toHaveLength(1);
      expect(found[0]?.variable).toBe(env);
      expect(found[0]?.message).toContain(message);
    });

    if (fileKey !== null) {
      it('reports an invalid file value naming the variable and the file key', () => {
        const path = writeFile('navplane.yml', `${fileKey}: ${JSON.stringify(invalid)}\n`);
        const found = problems(loadConfig({ NAVPLANE_CONFIG: path }));
        expect(found).toEqual([{ variable: env, message: expect.stringContaining(`from config file key ${fileKey}`) }]);
      });
    }
  }
});

describe('loadConfig', () => {
  it('accepts typed YAML values (numbers, booleans, lists)', () => {
    const path = writeFile(
      'navplane.yaml',
      [
        'gateway_port: 9090',
        'capture_bodies: true',
        'trust_proxy: 2',
        'admin_cors_origins:',
        '  - https://a.example.com',
        '  - https://b.example.com',
        'admin_token: null',
      ].join('\n'),
    );
    const loaded = config(loadConfig({ NAVPLANE_CONFIG: path }));
    expect(loaded).toMatchObject({
      gatewayPort: 9090,
      captureBodies: true,
      trustProxy: 2,
      adminCorsOrigins: ['https://a.example.com', 'https://b.example.com'],
      adminToken: undefined,
      configFile: path,
    });
    expect(loaded.sources.adminToken).toBe('default');
  });

  it('layers defaults < file < env, setting by setting', () => {
    const path = writeFile('navplane.json', JSON.stringify({ gateway_port: 9090, admin_port: 9091, log_level: 'warn' }));
    const loaded = config(loadConfig({ NAVPLANE_CONFIG: path, NAVPLANE_ADMIN_PORT: '7071' }));
    expect([loaded.gatewayPort, loaded.adminPort, loaded.logLevel, loaded.host]).toEqual([9090, 7071, 'warn', '127.0.0.1']);
    expect([loaded.sources.gatewayPort, loaded.sources.adminPort, loaded.sources.host]).toEqual(['file', 'env', 'default']);
  });

  it('resolves a relative NAVPLANE_CONFIG against options.cwd', () => {
    writeFile('relative.yaml', 'gateway_port: 1234\n');
    const loaded = config(loadConfig({ NAVPLANE_CONFIG: 'relative.yaml' }, { cwd: dir }));
    expect(loaded.gatewayPort).toBe(1234);
    expect(loaded.configFile).toBe(join(dir, 'relative.yaml'));
  });

  it('reports unknown file keys (with a suggestion) and still validates the known ones', () => {
    const path = writeFile('navplane.yaml', 'gatway_port: 1\nNAVPLANE_ADMIN_PORT: 2\ncolour: blue\nhost: "not a host"\n');
    const found = problems(loadConfig({ NAVPLANE_CONFIG: path }));
    expect(found.map((p) => p.variable)).toEqual(['NAVPLANE_CONFIG', 'NAVPLANE_CONFIG', 'NAVPLANE_CONFIG', 'NAVPLANE_HOST']);
    expect(found[0]?.message).toMatch(/^unknown key "gatway_port" .*\(did you mean "gateway_port"\?\)/);
    expect(found[1]?.message).toContain('did you mean "admin_port"?');
    expect(found[2]?.message).toMatch(/^unknown key "colour"/);
    expect(found[2]?.message).not.toContain('did you mean');
  });

  it('does not accept NODE_ENV from the file: it is read from the environment only', () => {
    const path = writeFile('navplane.yaml', 'node_env: production\n');
    expect(problems(loadConfig({ NAVPLANE_CONFIG: path }))[0]?.message).toMatch(/^unknown key "node_env"/);
  });

  it('collects every problem instead of stopping at the first', () => {
    const found = problems(
      loadConfig({
        NAVPLANE_GATEWAY_PORT: 'abc',
        NAVPLANE_ADMIN_PORT: '-1',
        NAVPLANE_LOG_LEVEL: 'loud',
        NAVPLANE_CAPTURE_BODIES: 'maybe',
        NAVPLANE_DATABASE_URL: 'mysql://db',
      }),
    );
    expect(found.map((p) => p.variable).sort()).toEqual([
      'NAVPLANE_ADMIN_PORT',
      'NAVPLANE_CAPTURE_BODIES',
      'NAVPLANE_DATABASE_URL',
      'NAVPLANE_GATEWAY_PORT',
      'NAVPLANE_LOG_LEVEL',
    ]);
    expect(found).toContainEqual({
      variable: 'NAVPLANE_GATEWAY_PORT',
      message: 'must be an integer from 0 to 65535 (got "abc")',
    });
  });

  it('reports a missing, unreadable or malformed config file as a NAVPLANE_CONFIG problem', () => {
    expect(problems(loadConfig({ NAVPLANE_CONFIG: join(dir, 'missing.yaml') }))).toEqual([
      {
        variable: 'NAVPLANE_CONFIG',
        message: `file not found: ${JSON.stringify(join(dir, 'missing.yaml'))}`,
      },
    ]);
    expect(problems(loadConfig({ NAVPLANE_CONFIG: writeFile('navplane.toml', 'x = 1') }))[0]?.message).toContain(
      'must name a .yaml, .yml or .json file',
    );
    expect(problems(loadConfig({ NAVPLANE_CONFIG: dir }))[0]?.message).toContain('must name a .yaml');
    expect(problems(loadConfig({ NAVPLANE_CONFIG: writeFile('bad.json', '{"gateway_port": 1,,}') }))[0]?.message).toMatch(
      /is not valid JSON \(line 1, column \d+\)$/,
    );
    expect(problems(loadConfig({ NAVPLANE_CONFIG: writeFile('bad.yaml', 'a: 1\na: 2\n') }))[0]?.message).toMatch(
      /is not valid YAML \(DUPLICATE_KEY at line 2, column 1\)$/,
    );
    expect(problems(loadConfig({ NAVPLANE_CONFIG: writeFile('list.yaml', '- 1\n- 2\n') }))[0]?.message).toContain(
      'must hold a mapping of settings',
    );
  });

  it('still validates the environment when the config file is broken', () => {
    const found = problems(loadConfig({ NAVPLANE_CONFIG: join(dir, 'missing.json'), NAVPLANE_GATEWAY_PORT: 'x' }));
    expect(found.map((p) => p.variable)).toEqual(['NAVPLANE_CONFIG', 'NAVPLANE_GATEWAY_PORT']);
  });

  it('accepts an empty YAML file', () => {
    expect(config(loadConfig({ NAVPLANE_CONFIG: writeFile('empty.yaml', '') })).gatewayPort).toBe(8080);
  });

  it('rejects a trace batch larger than the trace queue', () => {
    expect(problems(loadConfig({ NAVPLANE_TRACE_QUEUE_SIZE: '100', NAVPLANE_TRACE_BATCH_SIZE: '200' }))).toEqual([
      {
        variable: 'NAVPLANE_TRACE_BATCH_SIZE',
        message: 'must not exceed NAVPLANE_TRACE_QUEUE_SIZE (100) (got 200)',
      },
    ]);
  });

  it('returns a frozen config', () => {
    const loaded = config(loadConfig({}));
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.adminCorsOrigins)).toBe(true);
  });
});

describe('the production rule', () => {
  it('requires NAVPLANE_MASTER_KEY when NODE_ENV=production', () => {
    expect(problems(loadConfig({ NODE_ENV: 'production' }))).toEqual([
      {
        variable: 'NAVPLANE_MASTER_KEY',
        message: expect.stringMatching(/^required when NODE_ENV=production/),
      },
    ]);
  });

  it('is satisfied by a master key from the environment or the file', () => {
    const key = MASTER_KEY.toString('base64');
    expect(config(loadConfig({ NODE_ENV: 'production', NAVPLANE_MASTER_KEY: key })).masterKey).toEqual(MASTER_KEY);
    const path = writeFile('navplane.yaml', `master_key: ${key}\n`);
    expect(config(loadConfig({ NODE_ENV: 'production', NAVPLANE_CONFIG: path })).masterKey).toEqual(MASTER_KEY);
  });

  it('reports an invalid key once, not also as missing', () => {
    const found = problems(loadConfig({ NODE_ENV: 'production', NAVPLANE_MASTER_KEY: 'bad' }));
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/^must be base64 of exactly 32 bytes/);
  });

  it('does not apply outside production', () => {
    expect(config(loadConfig({ NODE_ENV: 'development' })).masterKey).toBeUndefined();
  });
});
