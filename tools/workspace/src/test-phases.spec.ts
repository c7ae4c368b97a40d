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

describe('npm test merged report', () => {
  // tools/workspace/test-phases.cjs is plain CommonJS (run-tests.cjs needs it without a build).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { mergeReports } = require('../test-phases.cjs') as {
    mergeReports: (reports: ReadonlyArray<Record<string, unknown>>, status: number) => Record<string, unknown>;
  };
  const passed = { success: true, numTotalTests: 2, numFailedTests: 0, startTime: 5, testResults: [{ name: 'a' }] };

  it('adds the counts of the phases and succeeds only when every phase did and the exit is 0', () => {
    const merged = mergeReports([passed, { ...passed, startTime: 3, testResults: [{ name: 'b' }] }], 0);
    expect(merged).toMatchObject({ success: true, numTotalTests: 4, startTime: 3, testResults: [{ name: 'a' }, { name: 'b' }] });
    expect(mergeReports([passed, { ...passed, success: false, numFailedTests: 1 }], 1)).toMatchObject({
      success: false,
      numFailedTests: 1,
    });
  });

  it('says no success when a phase failed without a report of its own (only the other phase reported)', () => {
    expect(mergeReports([passed], 1)).toMatchObject({ success: false });
  });
});
