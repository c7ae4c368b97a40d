#!/usr/bin/env node
// `npm test`: every suite in two Jest runs. First the suites that measure time or run fleets of processes
// (tools/workspace/test-phases.cjs), alone and one at a time; then all the others, several at a time (Jest's default
// of one worker on a 2-core machine leaves a core idle while a suite waits on a socket or a child process). Arguments
// go to both runs; `--json --outputFile=F` writes one report to F, the two runs merged. A run of chosen files or with
// its own worker setting (`npm test -- apps/gateway`, `-i`, `-w 4`, `--watch`…) is a single plain Jest run.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { availableParallelism, tmpdir } = require('node:os');
const { join } = require('node:path');
const { mergeReports } = require('./test-phases.cjs');

const JEST = require.resolve('jest/bin/jest');
/** Options after which the next argument is the option's value, not a test path. */
const TAKES_VALUE = new Set(['--outputFile', '-t', '--testNamePattern', '--reporters', '--config', '-c', '--testTimeout', '--seed']);
/** Options that choose the files or the workers themselves: the run is theirs, in one piece. */
const OWN_CHOICE =
  /^(?:-i|-w|-o|--runInBand|--maxWorkers|--watch|--watchAll|--listTests|--testPathPatterns|--findRelatedTests|--onlyChanged|--selectProjects|--shard)(?:=|$)/;

const args = process.argv.slice(2);

function choosesItsOwn(argv) {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (OWN_CHOICE.test(arg)) return true;
    if (TAKES_VALUE.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return true; // a test path pattern
  }
  return false;
}

/** Where `--outputFile` points (either form), and the arguments without it. */
function splitOutputFile(argv) {
  const rest = [];
  let file;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--outputFile') file = argv[(i += 1)];
    else if (arg.startsWith('--outputFile=')) file = arg.slice('--outputFile='.length);
    else rest.push(arg);
  }
  return { file, rest };
}

function runJest(jestArgs, env) {
  const result = spawnSync(process.execPath, [JEST, ...jestArgs], { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (choosesItsOwn(args)) {
  process.exit(runJest(args, {}));
}

const workers = Number(process.env.NAVPLANE_TEST_WORKERS) || Math.max(2, availableParallelism() - 1);
const split = splitOutputFile(args);
const { rest } = split;
// `--json` without `--outputFile` prints the report: the phases write theirs to files, and the merged one is printed.
const printed = split.file === undefined && rest.includes('--json');
const scratch = printed ? mkdtempSync(join(tmpdir(), 'navplane-test-report-')) : undefined;
const file = scratch === undefined ? split.file : join(scratch, 'report.json');
const phases = [
  { name: 'solo', flags: ['--runInBand'], what: 'the suites that measure time, one at a time' },
  { name: 'shared', flags: [`--maxWorkers=${workers}`], what: `every other suite, ${workers} at a time` },
];

// A report left by an earlier run must not pass for this one's: the merged report and each phase's are written anew.
if (file !== undefined) rmSync(file, { force: true });
let status = 0;
const reports = [];
for (const phase of phases) {
  process.stderr.write(`\n[navplane] npm test, ${phase.name} phase: ${phase.what}\n`);
  if (file !== undefined) rmSync(`${file}.${phase.name}.json`, { force: true });
  const output = file === undefined ? [] : [`--outputFile=${file}.${phase.name}.json`];
  const code = runJest([...rest, ...phase.flags, ...output], { NAVPLANE_TEST_PHASE: phase.name });
  if (code !== 0 && status === 0) status = code;
  if (file !== undefined) {
    try {
      reports.push(JSON.parse(readFileSync(`${file}.${phase.name}.json`, 'utf8')));
      rmSync(`${file}.${phase.name}.json`);
    } catch (error) {
      process.stderr.write(`[navplane] the ${phase.name} phase wrote no report: ${error.message}\n`);
      status = status || 1;
    }
  }
}
if (file !== undefined && reports.length > 0) {
  const merged = JSON.stringify(mergeReports(reports, status));
  if (printed) process.stdout.write(`${merged}\n`);
  else writeFileSync(file, merged);
}
if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
process.stderr.write(`[navplane] npm test: both phases ${status === 0 ? 'passed' : 'did not pass'} (exit ${status})\n`);
process.exit(status);
