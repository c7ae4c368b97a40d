// `npm test` runs every project's suite in one Jest process tree with one summary.
/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/{libs,apps,tools}/*/jest.config.cjs'],
};
