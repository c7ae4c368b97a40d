import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Command } from 'commander';
import { describeError } from '../describe-error';
import { loadConfigOrFail } from '../load-config';
import { CliError } from '../output';
import { gatewayBaseUrl, sdkEnv } from '../shell-env';
import { readGatewayKey } from './shell-init.command';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * `navplane wrap [--key-stdin | --key-file <path>] [--gateway-url <url>] -- <command…>`: runs the command with the
 * `shell-init` variables set (the key taken the same ways as `shell-init`), stdio inherited, and exits with its exit
 * code (128 + signal number when killed). With `--key-stdin` the key is the whole of stdin, so the command's stdin
 * is empty (/dev/null).
 */
export function wrapCommand(): Command {
  return new Command('wrap')
    .description('run a command with the OpenAI and Anthropic SDKs pointed at this gateway')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command and its arguments')
    .option('--key-stdin', "read a NavPlane key from stdin and export it as each SDK's key variable (the command gets an empty stdin)")
    .option('--key-file <path>', 'export the NavPlane key in this file as OPENAI_API_KEY, ANTHROPIC_API_KEY, …')
    .option('--gateway-url <url>', 'the gateway base URL (default http://NAVPLANE_HOST:NAVPLANE_GATEWAY_PORT)')
    .passThroughOptions()
    .action(async (argv: string[], options: { keyStdin?: boolean; keyFile?: string; gatewayUrl?: string }) => {
      const config = loadConfigOrFail();
      const baseUrl = gatewayBaseUrl(config, options.gatewayUrl);
      const [file, ...args] = argv;
      if (file === undefined) throw new CliError('nothing to run: navplane wrap -- <command...>', 2);
      const key = await readGatewayKey(options);
      const env = { ...process.env, ...Object.fromEntries(sdkEnv(baseUrl, key)) };
      process.exitCode = await run(file, args, env, options.keyStdin === true);
    });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, stdinUsed: boolean): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { stdio: stdinUsed ? ['ignore', 'inherit', 'inherit'] : 'inherit', env });
    // The child shares the terminal and gets Ctrl-C itself; these forward signals sent to navplane alone.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const cleanup = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.on('error', (error) => {
      cleanup();
      reject(new CliError(`cannot run ${file}: ${describeError(error)}`, 127));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      resolvePromise(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
