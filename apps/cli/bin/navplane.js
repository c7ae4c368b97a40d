#!/usr/bin/env node
// The `navplane` bin. It is committed (not built) so `npm ci` can link it before the first build;
// it runs the compiled CLI from dist/ (`npm run build` creates it).
'use strict';
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('navplane: the CLI is not built yet: run `npm run build` at the repository root\n');
  process.exit(1);
}
require('../dist/main.js');
