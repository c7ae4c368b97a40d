import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './testing/cli-process.fixture';

/** The CLI's own cache directory under `tmp` (per user: never Node's shared `node-compile-cache`). */
const cacheDir = (tmp: string) =>
  join(tmp, process.getuid === undefined ? 'navplane-compile-cache' : `navplane-compile-cache-${process.getuid()}`);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the CLI compile cache', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'navplane-cli-cache-'));
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  it("keeps the compiled modules in this user's own directory under the temp dir, and answers the same from the cache", async () => {
    // NODE_COMPILE_CACHE alone would turn the cache on without the CLI's help: the CLI must turn it on itself.
    const env = { TMPDIR: cwd };
    const first = await runCli(['--version'], { cwd, env });
    expect(first.code).toBe(0);
    expect((await filesUnder(cacheDir(cwd))).length).toBeGreaterThan(10);
    expect(await filesUnder(join(cwd, 'node-compile-cache'))).toEqual([]);
    const second = await runCli(['--version'], { cwd, env });
    expect(second).toEqual(first);
  });

  it('writes nothing when NODE_DISABLE_COMPILE_CACHE is set', async () => {
    const run = await runCli(['--version'], { cwd, env: { TMPDIR: cwd, NODE_DISABLE_COMPILE_CACHE: '1' } });
    expect(run.code).toBe(0);
    expect(await filesUnder(cacheDir(cwd))).toEqual([]);
  });

  it('uses no cache directory that others can write (compiled code planted there would run as this user)', async () => {
    await mkdir(cacheDir(cwd));
    await chmod(cacheDir(cwd), 0o777);
    const run = await runCli(['--version'], { cwd, env: { TMPDIR: cwd } });
    expect(run.code).toBe(0);
    expect(await filesUnder(cacheDir(cwd))).toEqual([]);
    expect(await filesUnder(join(cwd, 'node-compile-cache'))).toEqual([]);
  });
});
