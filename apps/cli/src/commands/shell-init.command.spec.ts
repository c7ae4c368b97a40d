import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../testing/cli-process.fixture';

jest.setTimeout(30_000);

const run = promisify(execFile);

describe('navplane shell-init', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-shell-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints base URLs only when no key is given', async () => {
    const result = await runCli(['shell-init'], { cwd, env: { NAVPLANE_GATEWAY_PORT: '9090' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "export OPENAI_BASE_URL='http://127.0.0.1:9090/v1'",
        "export ANTHROPIC_BASE_URL='http://127.0.0.1:9090'",
        "export GOOGLE_GEMINI_BASE_URL='http://127.0.0.1:9090/gemini'",
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
  });

  it('exports a key from stdin, quoted so the shell gets it back byte for byte', async () => {
    const key = "np_it's$HOME`x`\\";
    const result = await runCli(['shell-init', '--key-stdin', '--shell', 'zsh'], {
      cwd,
      env: { NAVPLANE_HOST: '0.0.0.0' },
      stdin: `${key}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("export OPENAI_BASE_URL='http://127.0.0.1:8080/v1'");
    const evaluated = await run('bash', [
      '-c',
      `${result.stdout}\nprintf '%s|%s|%s|%s' "$OPENAI_API_KEY" "$ANTHROPIC_API_KEY" "$GEMINI_API_KEY" "$ANTHROPIC_BASE_URL"`,
    ]);
    expect(evaluated.stdout).toBe(`${key}|${key}|${key}|http://127.0.0.1:8080`);
  });

  it('writes fish syntax and reads the key from a file', async () => {
    const file = join(cwd, 'np.key');
    await writeFile(file, "np_fish'key\\x\n");
    const result = await runCli(['shell-init', '--shell', 'fish', '--key-file', file, '--gateway-url', 'https://gw.example.com/'], { cwd });
    expect(result.stdout).toBe(
      [
        "set -gx OPENAI_BASE_URL 'https://gw.example.com/v1'",
        "set -gx ANTHROPIC_BASE_URL 'https://gw.example.com'",
        "set -gx GOOGLE_GEMINI_BASE_URL 'https://gw.example.com/gemini'",
        "set -gx OPENAI_API_KEY 'np_fish\\'key\\\\x'",
        "set -gx ANTHROPIC_API_KEY 'np_fish\\'key\\\\x'",
        "set -gx GEMINI_API_KEY 'np_fish\\'key\\\\x'",
        '',
      ].join('\n'),
    );
  });

  it('fails with usage errors (exit 2): port 0, bad shell, both key sources', async () => {
    const zero = await runCli(['shell-init'], { cwd, env: { NAVPLANE_GATEWAY_PORT: '0' } });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^navplane: NAVPLANE_GATEWAY_PORT is 0/);
    expect((await runCli(['shell-init', '--shell', 'csh'], { cwd })).code).toBe(2);
    const both = await runCli(['shell-init', '--key-stdin', '--key-file', 'x'], { cwd, stdin: 'np_x' });
    expect(both.code).toBe(2);
    const empty = await runCli(['shell-init', '--key-stdin'], { cwd, stdin: '' });
    expect(empty.code).toBe(1);
  });
});
