import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// `npm test` runs Jest twice (tools/workspace/run-tests.cjs): the suites that measure time alone, then the rest several
// at a time. The split is made by NAVPLANE_TEST_PHASE in jest.preset.js; these checks ask Jest itself which files each
// phase would run, so a suite can neither run twice nor fall between the phases.
const ROOT = resolve(__dirname, '../../..');
const JEST = resolve(ROOT, 'node_modules/jest/bin/jest.js');

function soloSuites(): string[] {
  const printed = execFileSync(process.execPath, ['-p', "JSON.stringify(require('./tools/workspace/test-phases.cjs').SOLO_SUITES)"], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return (JSON.parse(printed) as string[]).map((path) => resolve(ROOT, path)).sort();
}

function listed(phase: string | undefined): string[] {
  const env = { ...process.env };
  delete env['NAVPLANE_TEST_PHASE'];
  if (phase !== undefined) env['NAVPLANE_TEST_PHASE'] = phase;
  const out = execFileSync(process.execPath, [JEST, '--listTests'], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('.spec.ts'))
    .sort();
}

describe('npm test phases', () => {
  let all: string[];
  beforeAll(() => {
    all = listed(undefined);
  }, 60_000);

  it('names only suites that exist', () => {
    for (const path of soloSuites()) expect(existsSync(path) ? path : `missing: ${path}`).toBe(path);
  });

  it('runs exactly the solo suites in the solo phase and every other suite in the shared phase, each once', () => {
    const solo = listed('solo');
    const shared = listed('shared');
    expect(solo).toEqual(soloSuites());
    expect(shared.filter((path) => solo.includes(path))).toEqual([]);
    expect([...solo, ...shared].sort()).toEqual(all);
  }, 60_000);
});
