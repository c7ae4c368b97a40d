import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONFIG_SETTINGS } from '@navplane/config';
import { parse } from 'yaml';

// docker/: the image and the compose file cannot be built or started here (no base image can be pulled), so what can
// be checked without them is checked: the Dockerfile's shape, the compose file's structure and settings, and the nginx
// configuration with nginx itself. tools/demo and the load-balanced deployment test run the same processes for real.

const ROOT = resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const KNOWN_SETTINGS = new Set(CONFIG_SETTINGS.flatMap((meta) => (meta.env === null ? [] : [meta.env])));
const navplaneVariables = (text: string) => [...new Set(text.match(/\bNAVPLANE_[A-Z0-9_]+/g) ?? [])];

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
}

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages.at(-1) ?? '';

  it('builds in stages and ships a final stage with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(final).not.toMatch(/npm ci(?! --omit=dev)/);
    expect(final).not.toMatch(/\bnx\b|jest|tsc/);
  });

  it('runs as a non-root user with data under a volume, a health check on /healthz, and node (not npm) as PID 1', () => {
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(final).toMatch(/^HEALTHCHECK [^\n]*(\\\n[^\n]*)*\/healthz/m);
    expect(final).toMatch(/^ENTRYPOINT \["node",[^\n]*"apps\/cli\/dist\/main\.js"\]$/m);
    expect(final).toMatch(/NAVPLANE_DATABASE_URL=sqlite:\/\/\/data\/navplane\.db/);
  });

  it('names only settings NavPlane has', () => {
    for (const name of navplaneVariables(dockerfile)) expect({ name, known: KNOWN_SETTINGS.has(name) }).toEqual({ name, known: true });
  });

  it('keeps local data, secrets and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.git', '**/node_modules', '**/dist', 'data', 'docker/secrets', '.env*']) expect(ignored).toContain(entry);
  });
});

describe('docker/compose.yaml', () => {
  const text = read('docker/compose.yaml');
  const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  const { services } = compose;

  it('runs Postgres, Redis, two gateways behind nginx, and the admin API from one image', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'gateway-1', 'gateway-2', 'admin', 'nginx']));
    for (const name of ['gateway-1', 'gateway-2', 'admin']) {
      const service = services[name];
      expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(service?.image).toBe('navplane:local');
      expect(service?.environment?.['NAVPLANE_DATABASE_URL']).toMatch(
        /^postgres:\/\/navplane:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/navplane$/,
      );
      expect(service?.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      // Both gateways (and the admin's usage answers) count limits and budgets in the one Redis.
      expect(service?.environment?.['NAVPLANE_REDIS_URL']).toBe('redis://redis:6379');
    }
    expect(services['gateway-1']?.command).toEqual(['serve', '--only', 'gateway']);
    expect(services['gateway-2']?.command).toEqual(['serve', '--only', 'gateway']);
    expect(services['admin']?.command).toEqual(['serve', '--only', 'admin']);
  });

  it('takes the master key and the admin token from the environment, never as literals', () => {
    for (const service of Object.values(services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (/MASTER_KEY|ADMIN_TOKEN|PASSWORD/.test(name))
          expect({ name, fromVariable: /^\$\{[A-Z_]+:\?[^}]+\}$/.test(value) }).toEqual({ name, fromVariable: true });
      }
    }
    const example = read('docker/example.env');
    expect(example).toMatch(/^NAVPLANE_MASTER_KEY=$/m);
    expect(read('.gitignore')).toMatch(/^docker\/\.env$/m);
  });

  it('names only settings NavPlane has', () => {
    for (const name of navplaneVariables(text)) expect({ name, known: KNOWN_SETTINGS.has(name) }).toEqual({ name, known: true });
  });

  it('mounts an nginx configuration that balances both gateways', () => {
    const mount = services['nginx']?.volumes?.[0] ?? '';
    const [source] = mount.split(':');
    const file = join(ROOT, 'docker', source ?? '');
    expect(existsSync(file)).toBe(true);
    const conf = readFileSync(file, 'utf8');
    expect(conf).toMatch(/server gateway-1:8080/);
    expect(conf).toMatch(/server gateway-2:8080/);
    expect(conf).toMatch(/proxy_buffering off;/);
  });
});

// nginx itself checks the compose configuration (`nginx -t`), with the gateways' host names replaced by loopback (they
// resolve only inside the compose network). CI installs nginx (.ci/run); elsewhere the check says it was skipped.
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
(nginx === undefined && process.env['CI'] !== 'true' ? describe.skip : describe)('docker/nginx/compose.conf under nginx -t', () => {
  it('is a valid nginx configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'navplane-nginx-'));
    try {
      const conf = read('docker/nginx/compose.conf').replace(
        /gateway-[12]:8080/g,
        (host) => `127.0.0.1:${host === 'gateway-1:8080' ? 18_081 : 18_082}`,
      );
      writeFileSync(join(dir, 'default.conf'), conf.replace('listen 8080;', 'listen 127.0.0.1:18080;'));
      writeFileSync(
        join(dir, 'nginx.conf'),
        [
          'pid nginx.pid;',
          `error_log ${join(dir, 'error.log')};`,
          'events {}',
          `http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi; include ${join(dir, 'default.conf')}; }`,
          '',
        ].join('\n'),
      );
      const output = execFileSync(nginx ?? 'nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
