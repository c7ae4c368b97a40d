import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');

// `npm run demo` from a clean clone is what newcomers run first: it must work, print the same story every time, and
// leave nothing behind (tools/demo/README.md).
describe('npm run demo', () => {
  it('prints the expected walk-through, exits 0 and says nothing is left running', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'tools/demo/dist/demo.js')], { cwd: ROOT, env: { PATH: process.env['PATH'] } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect({ code, stderr: stderr.replace(/in [\d.]+ s/, 'in N s') }).toEqual({
      code: 0,
      stderr: '(demo finished in N s; nothing left running)\n',
    });
    expect(stdout).toBe(readFileSync(join(ROOT, 'tools/demo/expected-output.txt'), 'utf8'));
  });
});
