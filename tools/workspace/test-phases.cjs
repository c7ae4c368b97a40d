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

module.exports = { SOLO_SUITES, phaseIgnorePatterns };
