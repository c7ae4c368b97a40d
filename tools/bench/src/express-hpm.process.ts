// Bench process: the framework's own cost — Express 5 + http-proxy-middleware 4 (on httpxy) with no features:
// its default plugins only, a keep-alive agent to the upstream, as the bare pass-through has.
// http-proxy-middleware 4 is ESM-only; this CommonJS build loads it through Node's require(esm) (Node ≥ 22.12).
import { Agent } from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const target = process.env['BENCH_UPSTREAM'] ?? 'http://127.0.0.1:1';
const app = express();
app.use(createProxyMiddleware({ target, changeOrigin: true, agent: new Agent({ keepAlive: true, maxSockets: 256 }) }));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` })}\n`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => process.exit(0));
