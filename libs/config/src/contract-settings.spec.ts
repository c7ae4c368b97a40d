import { CONFIG_SETTINGS } from './config-settings';
import { loadConfig } from './load-config';

// The configuration variables of NavPlane's public interface contract, variable → default ('none' = no default).
// Their names and defaults are binding: they do not change without a new issue.
const CONTRACT = {
  NAVPLANE_DATABASE_URL: 'sqlite:./data/navplane.db',
  NAVPLANE_MASTER_KEY: 'none',
  NAVPLANE_ADMIN_TOKEN: 'none',
  NAVPLANE_HOST: '127.0.0.1',
  NAVPLANE_GATEWAY_PORT: '8080',
  NAVPLANE_ADMIN_PORT: '8081',
  NAVPLANE_OPENAI_BASE_URL: 'https://api.openai.com',
  NAVPLANE_ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
  NAVPLANE_CAPTURE_BODIES: 'false',
  NAVPLANE_MAX_BODY_BYTES: '20971520',
  NAVPLANE_UPSTREAM_CONNECT_TIMEOUT_MS: '10000',
  NAVPLANE_UPSTREAM_TIMEOUT_MS: '600000',
  NAVPLANE_LOG_LEVEL: 'info',
  NAVPLANE_TRUST_PROXY: 'false',
  NAVPLANE_ADMIN_CORS_ORIGINS: 'none',
  NAVPLANE_SHUTDOWN_GRACE_MS: '30000',
  NAVPLANE_GEMINI_BASE_URL: 'https://generativelanguage.googleapis.com',
  NAVPLANE_MISTRAL_BASE_URL: 'https://api.mistral.ai',
  NAVPLANE_UPSTREAM_ALLOWLIST: 'none',
  NAVPLANE_REDIS_URL: 'none',
  NAVPLANE_REDIS_PREFIX: 'navplane:',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'none',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
} as const;

// Contract variables of features not built yet: NavPlane reads nothing for them, so they are not settings. Whoever builds
// one adds its setting to SETTINGS with the default above and removes it from this list.
const NOT_YET_BUILT: string[] = [];

const byVariable = new Map(CONFIG_SETTINGS.map((setting) => [setting.env, setting]));

describe('the contract configuration table', () => {
  it('is in SETTINGS, but for the variables of features not built yet', () => {
    expect(Object.keys(CONTRACT).filter((variable) => !byVariable.has(variable))).toEqual(NOT_YET_BUILT);
  });

  it.each(Object.entries(CONTRACT).filter(([variable]) => byVariable.has(variable)))('%s defaults to %s', (variable, contractDefault) => {
    expect(byVariable.get(variable)?.defaultValue ?? 'none').toBe(contractDefault);
  });

  it('is what an empty environment loads', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error('defaults must be valid');
    expect(loaded.value).toMatchObject({
      databaseUrl: 'sqlite:./data/navplane.db',
      masterKey: undefined,
      adminToken: undefined,
      host: '127.0.0.1',
      gatewayPort: 8080,
      adminPort: 8081,
      openaiBaseUrl: 'https://api.openai.com',
      anthropicBaseUrl: 'https://api.anthropic.com',
      geminiBaseUrl: 'https://generativelanguage.googleapis.com',
      mistralBaseUrl: 'https://api.mistral.ai',
      captureBodies: false,
      maxBodyBytes: 20 * 1024 * 1024,
      upstreamConnectTimeoutMs: 10_000,
      upstreamTimeoutMs: 600_000,
      logLevel: 'info',
      trustProxy: false,
      adminCorsOrigins: [],
      shutdownGraceMs: 30_000,
    });
  });
});
