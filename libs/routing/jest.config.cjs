/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.preset.js'), displayName: 'routing', rootDir: __dirname };
