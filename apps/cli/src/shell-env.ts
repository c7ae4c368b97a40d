import type { NavPlaneConfig } from '@navplane/config';
import { BUILT_IN_ADAPTERS, type ProviderAdapter } from '@navplane/providers';
import { CliError } from './output';

/** Shells `shell-init` can write for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number];

/** The client-side environment variables that point the OpenAI and Anthropic SDKs at a gateway. */
export type SdkEnv = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The gateway's base URL: `--gateway-url` when given, else `http://<NAVPLANE_HOST>:<NAVPLANE_GATEWAY_PORT>`
 * with a wildcard bind address (0.0.0.0, ::) replaced by loopback. Fails when the port is 0 (chosen at start).
 */
export function gatewayBaseUrl(config: NavPlaneConfig, override?: string): string {
  if (override !== undefined) {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new CliError('--gateway-url must be an http(s) URL such as http://127.0.0.1:8080', 2);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliError('--gateway-url must be an http(s) URL such as http://127.0.0.1:8080', 2);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  if (config.gatewayPort === 0) {
    throw new CliError('NAVPLANE_GATEWAY_PORT is 0 (any free port): pass --gateway-url with the port the gateway printed', 2);
  }
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.gatewayPort}`;
}

/**
 * The SDK variables for `baseUrl`, as each built-in provider declares them (`sdkEnvironment`): every base-URL
 * variable (OPENAI_BASE_URL = `<gateway>/v1`, ANTHROPIC_BASE_URL = the gateway root, GOOGLE_GEMINI_BASE_URL =
 * `<gateway>/gemini`, …), then, only when a NavPlane key is given, every key variable (OPENAI_API_KEY, …).
 */
export function sdkEnv(baseUrl: string, key?: string, adapters: readonly ProviderAdapter[] = BUILT_IN_ADAPTERS): SdkEnv {
  const environments = adapters.flatMap((adapter) => (adapter.sdkEnvironment === undefined ? [] : [adapter.sdkEnvironment]));
  const env: Array<[string, string]> = environments.flatMap((sdk) =>
    sdk.baseUrl.map(({ name, path }): [string, string] => [name, `${baseUrl}${path}`]),
  );
  if (key !== undefined) env.push(...environments.flatMap((sdk) => sdk.apiKey.map((name): [string, string] => [name, key])));
  return env;
}

/** A POSIX shell single-quoted word: `'…'`, each `'` written as `'\''`. */
export function posixQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A fish single-quoted word: backslash and `'` escaped with a backslash. */
export function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The lines that set `env` in `shell` (`export NAME='value'`, or `set -gx NAME 'value'` for fish). */
export function renderExports(env: SdkEnv, shell: Shell): string {
  return env
    .map(([name, value]) => (shell === 'fish' ? `set -gx ${name} ${fishQuote(value)}` : `export ${name}=${posixQuote(value)}`))
    .join('\n');
}
