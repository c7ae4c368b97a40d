import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The built CLI entry point; specs run the real binary, as users do (`npm test` builds first). */
export const CLI_MAIN = resolve(__dirname, '../../dist/main.js');

/** Fails clearly when the CLI has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` (npm test does it for you)`);
  }
}

/** The parent's environment without any NAVPLANE_* setting, plus `env`. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NAVPLANE_')));
  return { ...base, NODE_ENV: 'test', ...env };
}

/** What a finished CLI run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `navplane <args>` to completion. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; stdin?: string }): Promise<CliRun> {
  assertCliBuilt();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd, env: cleanEnv(options.env ?? {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** A long-running `navplane serve` (or app main) child process. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** Bound URLs by server name, from the "listening" log lines. */
  urls: Record<string, string>;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stderr(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node <entry> <args>` and resolves once every server in `expect` logged its bound URL.
 * `entry` defaults to the CLI; pass an app's dist/main.js to run it alone.
 */
export function startServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; expect: string[]; entry?: string; timeoutMs?: number },
): Promise<ServeProcess> {
  const entry = options.entry ?? CLI_MAIN;
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: options.cwd,
    // Brute-force throttling off: specs poll with revoked keys from one address (a spec may turn it on).
    env: cleanEnv({ NAVPLANE_GATEWAY_PORT: '0', NAVPLANE_ADMIN_PORT: '0', NAVPLANE_AUTH_FAILURE_LIMIT: '0', ...options.env }),
  });
  const urls: Record<string, string> = {};
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

  const ready = new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started server behind: it would keep the test run alive.
      child.kill('SIGKILL');
      reject(new Error(`servers did not start in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        try {
          const entryLine = JSON.parse(line) as { server?: string; url?: string };
          if (entryLine.server && entryLine.url) urls[entryLine.server] = entryLine.url;
        } catch {
          // not a JSON line
        }
        newline = buffered.indexOf('\n');
      }
      if (options.expect.every((name) => urls[name])) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before listening; stderr: ${stderr}`));
    });
  });

  return ready.then(() => ({
    child,
    urls,
    lines,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  }));
}

/** A path inside the repository (for app entry points). */
export function repoPath(...segments: string[]): string {
  return join(__dirname, '../../../..', ...segments);
}

/**
 * A JSON call to the admin API of the process `admin()` returns (read at each call: specs restart processes), with
 * `token`: the answer typed as the shape the spec expects (its assertions are the check); throws on a status ≥ 300.
 */
export function adminApiCaller(admin: () => ServeProcess | undefined, token: string) {
  return async <T extends object>(method: string, path: string, body?: unknown): Promise<T> => {
    const running = admin();
    if (running === undefined) throw new Error('the admin process is not running');
    const res = await fetch(`${running.urls['admin']}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as T;
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}
