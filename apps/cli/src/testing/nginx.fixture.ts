import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { repoPath } from './cli-process.fixture';

/** The deployment's nginx configuration (http context), with `${NAVPLANE_…}` placeholders. */
export const NGINX_TEMPLATE = repoPath('docker/nginx/navplane.conf');

/** The nginx binary: on PATH, else Debian's /usr/sbin/nginx (root's PATH has /usr/sbin, others' may not). */
export function findNginx(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin'];
  return dirs.map((dir) => join(dir, 'nginx')).find((path) => existsSync(path));
}

/** A free TCP port on 127.0.0.1 (bound and released at once; the caller binds it next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Fills every `${NAME}` of `template` from `values`; throws when one is missing, so a placeholder the template
 * gains is never passed to nginx unfilled. nginx's own variables (`$host`) have no braces and are kept.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`nginx template: no value for \${${name}}`);
    return value;
  });
}

/** One line of the template's `navplane_json` access log. */
export interface AccessLogEntry {
  method: string;
  uri: string;
  status: number;
  /** The gateway(s) nginx tried, `a:1, b:2` when it moved on to the next; empty when it answered itself. */
  upstream: string;
  upstream_status: string;
  trace_id: string;
}

/** A running nginx master (and one worker) with the deployment's config, in a temp prefix. */
export interface RunningNginx {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** nginx's error log so far (what it said about failed upstreams). */
  errorLog(): Promise<string>;
  /** The access log so far, one parsed entry per request nginx finished. */
  accessLog(): Promise<AccessLogEntry[]>;
  /**
   * Takes gateway `index` (0 or 1) out of the rotation (`down`) or puts it back, and reloads nginx (SIGHUP: new
   * workers with the new list; the old ones finish their requests and close their idle connections themselves).
   */
  setDown(index: 0 | 1, down: boolean): Promise<void>;
  /** Stops nginx (SIGQUIT: graceful) and removes its prefix. */
  stop(): Promise<void>;
}

/**
 * Starts `nginx -p <tmp> -c <tmp>/nginx.conf` in the foreground (`daemon off`): a main config with the
 * process's own paths (pid, logs, temp dirs) that includes `docker/nginx/navplane.conf` rendered with
 * `gateways` and a free port. Resolves once nginx answers on that port.
 */
export async function startNginx(binary: string, gateways: readonly [string, string]): Promise<RunningNginx> {
  const prefix = await mkdtemp(join(tmpdir(), 'navplane-nginx-'));
  // nginx's worker runs as `nobody` when the master is root: it must reach its temp dirs under the prefix.
  await chmod(prefix, 0o755);
  const port = await freePort();
  const accessLogPath = join(prefix, 'access.log');
  const errorLogPath = join(prefix, 'error.log');
  const template = await readFile(NGINX_TEMPLATE, 'utf8');
  const down = [false, false];
  // `server <address> down max_fails=…`: nginx takes a server's parameters in any order.
  const writeSite = () =>
    writeFile(
      join(prefix, 'navplane.conf'),
      renderTemplate(template, {
        NAVPLANE_GATEWAY_1: down[0] ? `${gateways[0]} down` : gateways[0],
        NAVPLANE_GATEWAY_2: down[1] ? `${gateways[1]} down` : gateways[1],
        NAVPLANE_LB_LISTEN: `127.0.0.1:${port}`,
        NAVPLANE_LB_ACCESS_LOG: accessLogPath,
      }),
    );
  await writeSite();
  await writeFile(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      // 2,000 requests at once (the limits test) are 2,000 client connections plus the upstream ones.
      'worker_rlimit_nofile 16384;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${errorLogPath} warn;`,
      'events { worker_connections 8192; }',
      'http {',
      `  client_body_temp_path ${join(prefix, 'client_body')};`,
      `  proxy_temp_path ${join(prefix, 'proxy')};`,
      `  fastcgi_temp_path ${join(prefix, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(prefix, 'uwsgi')};`,
      `  scgi_temp_path ${join(prefix, 'scgi')};`,
      `  include ${join(prefix, 'navplane.conf')};`,
      '}',
      '',
    ].join('\n'),
  );

  // `-e` points the log nginx opens before reading the config away from /var/log/nginx.
  const child: ChildProcess = spawn(binary, ['-p', prefix, '-e', errorLogPath, '-c', join(prefix, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = await readFile(errorLogPath, 'utf8').catch(() => '');
      throw new Error(`nginx exited with ${child.exitCode}: ${stderr}${log}`);
    }
    const up = await fetch(`${url}/healthz`).then(
      (res) => res.status > 0,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url,
    errorLog: () => readFile(errorLogPath, 'utf8'),
    accessLog: async () =>
      (await readFile(accessLogPath, 'utf8'))
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as AccessLogEntry),
    setDown: async (index, isDown) => {
      down[index] = isDown;
      await writeSite();
      child.kill('SIGHUP');
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
