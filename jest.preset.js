// Shared Jest settings for every project: SWC transform (fast, no type-check; `npm run typecheck`
// does that), Node environment, and the `@navplane/source` export condition so workspace libs
// resolve to their TypeScript sources instead of `dist/`.
const { phaseIgnorePatterns } = require('./tools/workspace/test-phases.cjs');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@navplane/source', 'node', 'require', 'default'],
  },
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // The OTLP exporters load `http` with a dynamic import(), which Jest's CommonJS sandbox cannot run: SWC turns that
  // package's import() into require() (a test that exports to a fake collector, docs/observability.md).
  transformIgnorePatterns: ['/node_modules/(?!@opentelemetry/otlp-exporter-base/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // `npm test` runs the suites that measure time alone, then the rest two at a time (tools/workspace/run-tests.cjs).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', ...phaseIgnorePatterns()],
  // (Also set in the root jest.config.cjs: Jest reads it only there when it runs every project.)
  // Integration specs create a Postgres database and migrate it in their hooks: a few hundred ms on a quiet machine,
  // more than Jest's default 5 s on a loaded shared 2-core VM. A hung test still fails, 20 s later.
  testTimeout: 20_000,
};
