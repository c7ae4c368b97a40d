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
