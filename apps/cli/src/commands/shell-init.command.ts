import { Command, Option } from 'commander';
import { loadConfigOrFail } from '../load-config';
import { CliError } from '../output';
import { cleanSecret, readSecretFile, readStdin } from '../read-secret';
import { gatewayBaseUrl, renderExports, sdkEnv, SHELLS, type Shell } from '../shell-env';

interface ShellInitOptions {
  shell: Shell;
  keyStdin?: boolean;
  keyFile?: string;
  gatewayUrl?: string;
}

/**
 * `navplane shell-init [--shell bash|zsh|fish] [--key-stdin | --key-file <path>] [--gateway-url <url>]`: prints
 * the lines that point the providers' SDKs (OpenAI, Anthropic, Gemini…) at this gateway, e.g. `eval "$(npx navplane shell-init)"`.
 * The NavPlane key is printed only when given on stdin or by file (never taken from argv).
 */
export function shellInitCommand(): Command {
  return new Command('shell-init')
    .description("print export lines pointing the providers' SDKs (OpenAI, Anthropic, Gemini…) at this gateway")
    .addOption(new Option('--shell <shell>', 'shell syntax').choices([...SHELLS]).default('bash'))
    .option('--key-stdin', "read a NavPlane key from stdin and export it as each SDK's key variable (OPENAI_API_KEY, …)")
    .option('--key-file <path>', 'read the NavPlane key from this file instead')
    .option('--gateway-url <url>', 'the gateway base URL (default http://NAVPLANE_HOST:NAVPLANE_GATEWAY_PORT)')
    .action(async (options: ShellInitOptions) => {
      const config = loadConfigOrFail();
      const baseUrl = gatewayBaseUrl(config, options.gatewayUrl);
      const key = await readGatewayKey(options);
      process.stdout.write(`${renderExports(sdkEnv(baseUrl, key), options.shell)}\n`);
    });
}

/** The NavPlane key from `--key-stdin` or `--key-file`, or undefined when neither is given. */
export async function readGatewayKey(options: { keyStdin?: boolean; keyFile?: string }): Promise<string | undefined> {
  if (options.keyStdin && options.keyFile !== undefined) throw new CliError('give --key-stdin or --key-file, not both', 2);
  if (options.keyFile !== undefined) return cleanSecret(await readSecretFile(options.keyFile, 'NavPlane key'), 'NavPlane key');
  if (options.keyStdin) return cleanSecret(await readStdin('NavPlane key'), 'NavPlane key');
  return undefined;
}
