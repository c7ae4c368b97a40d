import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../testing/cli-process.fixture';

jest.setTimeout(30_000);

const PRINT_ENV =
  'process.stdout.write([process.env.OPENAI_BASE_URL, process.env.ANTHROPIC_BASE_URL, process.env.OPENAI_API_KEY ?? "-"].join(" "))';

describe('navplane wrap', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-wrap-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('runs the command with the SDK variables set and inherited stdio', async () => {
    const result = await runCli(['wrap', '--', process.execPath, '-e', PRINT_ENV], { cwd, env: { NAVPLANE_GATEWAY_PORT: '7070' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('http://127.0.0.1:7070/v1 http://127.0.0.1:7070 -');
  });

  it('passes the command’s own options through and exports a key from --key-file', async () => {
    const file = join(cwd, 'key');
    await writeFile(file, 'np_wrapped_key\n');
    const result = await runCli(['wrap', '--key-file', file, process.execPath, '-e', PRINT_ENV, '--', '--version'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('http://127.0.0.1:8080/v1 http://127.0.0.1:8080 np_wrapped_key');
  });

  it('exports a key read from stdin with --key-stdin, as the README pipes it, and gives the command an empty stdin', async () => {
    const readsStdin = `let n = 0; process.stdin.on("data", (c) => (n += c.length)).on("end", () => process.stdout.write(\` stdin:\${n}\`));`;
    const result = await runCli(['wrap', '--key-stdin', '--', process.execPath, '-e', `${PRINT_ENV}; ${readsStdin}`], {
      cwd,
      stdin: 'np_piped_key',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('http://127.0.0.1:8080/v1 http://127.0.0.1:8080 np_piped_key stdin:0');
    const both = await runCli(['wrap', '--key-stdin', '--key-file', join(cwd, 'key'), '--', process.execPath, '-e', '0'], {
      cwd,
      stdin: 'np_x',
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('navplane: give --key-stdin or --key-file, not both\n');
    const empty = await runCli(['wrap', '--key-stdin', '--', process.execPath, '-e', '0'], { cwd, stdin: '' });
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/^navplane: no NavPlane key given/);
  });

  it('exits with the command’s exit code, 128+signal when killed, 127 when it cannot start', async () => {
    expect((await runCli(['wrap', '--', process.execPath, '-e', 'process.exit(7)'], { cwd })).code).toBe(7);
    expect((await runCli(['wrap', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGTERM")'], { cwd })).code).toBe(143);
    const missing = await runCli(['wrap', '--', 'navplane-no-such-command'], { cwd });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toBe('navplane: cannot run navplane-no-such-command: ENOENT\n');
    const nothing = await runCli(['wrap'], { cwd });
    expect(nothing.code).toBe(2);
  });
});
