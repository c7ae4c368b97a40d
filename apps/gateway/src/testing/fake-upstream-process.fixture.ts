import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

/** A fake upstream (`@navplane/testing`, recording off) running in a process of its own. */
export interface FakeUpstreamProcess {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the fake upstream in a child process, so that what it does with large bodies (decoding, parsing, usage
 * estimates) runs on its own event loop, as a real provider's would, and not on the one under test.
 */
export async function startFakeUpstreamProcess(options: { niceness?: number } = {}): Promise<FakeUpstreamProcess> {
  const register = require.resolve('@swc-node/register', { paths: [__dirname] });
  const script = `require(${JSON.stringify(register)});
    require('@navplane/testing').startFakeUpstream({ record: false }).then((upstream) => process.stdout.write(upstream.url + '\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@navplane/source', '-e', script], {
    cwd: __dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A provider on another machine does not take this one's CPU: on a small test machine its work can be made to yield.
  if (options.niceness !== undefined && child.pid !== undefined) setPriority(child.pid, options.niceness);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // The URL line (the testing lib may print a line of its own first).
      const found = /^(http:\/\/\S+)\n/m.exec(out);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake upstream process exited (${code}) before it listened`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }
      }),
  };
}
