/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.preset.js'), displayName: 'trace', rootDir: __dirname };
