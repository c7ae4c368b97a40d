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
 * `navplane wrap [--key-file <path>] [--gateway-url <url>] -- <command…>`: runs the command with the
 * `shell-init` variables set, stdio inherited, and exits with its exit code (128 + signal number when killed).
 */
export function wrapCommand(): Command {
  return new Command('wrap')
    .description('run a command with the OpenAI and Anthropic SDKs pointed at this gateway')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command and its arguments')
    .option('--key-file <path>', 'export the NavPlane key in this file as OPENAI_API_KEY and ANTHROPIC_API_KEY')
    .option('--gateway-url <url>', 'the gateway base URL (default http://NAVPLANE_HOST:NAVPLANE_GATEWAY_PORT)')
    .passThroughOptions()
    .action(async (argv: string[], options: { keyFile?: string; gatewayUrl?: string }) => {
      const config = loadConfigOrFail();
      const baseUrl = gatewayBaseUrl(config, options.gatewayUrl);
      const key = await readGatewayKey({ keyFile: options.keyFile });
      const [file, ...args] = argv;
      if (file === undefined) throw new CliError('nothing to run: navplane wrap -- <command...>', 2);
      process.exitCode = await run(file, args, { ...process.env, ...Object.fromEntries(sdkEnv(baseUrl, key)) });
    });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
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
