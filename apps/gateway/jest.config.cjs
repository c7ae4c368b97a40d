/** @type {import('jest').Config} */
// @mistralai/mistralai ships ES modules only: SWC turns it into CommonJS like the sources (the gateway's SDK tests);
// the OTLP exporter base likewise (its dynamic import() of `http`, see jest.preset.js).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'gateway',
  rootDir: __dirname,
  transformIgnorePatterns: ['/node_modules/(?!(?:@mistralai/mistralai|@opentelemetry/otlp-exporter-base)/)'],
};
