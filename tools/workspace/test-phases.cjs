// The test suites that measure time (a latency bound, a p99, a gap in the event loop, a propagation deadline across
// processes) or run a fleet of processes (nginx and several gateways). `npm test` runs them alone, one at a time, so a
// second suite on the other core cannot turn a scheduling delay into a failure; every other suite runs two at a time
// (tools/workspace/run-tests.cjs). A suite that starts asserting on time belongs here.
const SOLO_SUITES = [
  'apps/cli/src/commands/serve.kill-switch.spec.ts',
  'apps/cli/src/deployment.limits.int.spec.ts',
  'apps/cli/src/deployment.load-balanced.int.spec.ts',
  'apps/gateway/src/gateway.isolation.int.spec.ts',
  'apps/gateway/src/gateway.proxy.int.spec.ts',
  'apps/gateway/src/gateway.trace-db-down.int.spec.ts',
  'apps/gateway/src/gateway.websocket.int.spec.ts',
  'libs/http/src/graceful-server.spec.ts',
  'libs/policy/src/pool/redaction-pool.responsiveness.spec.ts',
  'libs/policy/src/pool/redaction-pool.spec.ts',
  'libs/trace/src/batching-trace-writer.spec.ts',
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const soloPattern = `(?:${SOLO_SUITES.map(escape).join('|')})$`;

/**
 * The extra `testPathIgnorePatterns` of the phase named by NAVPLANE_TEST_PHASE: `solo` ignores every suite but the
 * solo ones, `shared` ignores the solo ones; unset (a run of chosen files, or plain `npx jest`), nothing.
 */
function phaseIgnorePatterns(phase = process.env.NAVPLANE_TEST_PHASE) {
  if (phase === 'solo') return [`^(?!.*${soloPattern})`];
  if (phase === 'shared') return [soloPattern];
  return [];
}

/**
 * One report of the phases' (`npm test -- --json --outputFile=F`): the counts added, the suites of all, and a success
 * only if every report says so and the run's exit `status` is 0 — a phase that failed without a report of its own (Jest
 * crashed, a global set-up threw) or whose exit was not 0 for another reason must not leave a report that says success.
 */
function mergeReports(reports, status) {
  const merged = { ...reports[reports.length - 1] };
  for (const field of Object.keys(merged)) {
    if (field.startsWith('num') && typeof merged[field] === 'number') merged[field] = reports.reduce((sum, r) => sum + (r[field] ?? 0), 0);
  }
  merged.startTime = Math.min(...reports.map((r) => r.startTime));
  merged.success = status === 0 && reports.every((r) => r.success === true);
  merged.wasInterrupted = reports.some((r) => r.wasInterrupted === true);
  merged.testResults = reports.flatMap((r) => r.testResults ?? []);
  return merged;
}

module.exports = { SOLO_SUITES, mergeReports, phaseIgnorePatterns };
