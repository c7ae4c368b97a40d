// `npm test` runs every project's suite in one Jest process tree with one summary, and says below it when the
// Postgres suites were skipped (tools/workspace/postgres-skip-reporter.cjs).
/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/{libs,apps,tools}/*/jest.config.cjs'],
  reporters: ['default', '<rootDir>/tools/workspace/postgres-skip-reporter.cjs'],
  // A global option: Jest ignores `testTimeout` in a project's config when it runs projects (jest.preset.js says why 20 s).
  testTimeout: 20_000,
};
