import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RedactionWorkerData } from './redaction-pool-protocol';

/** Starts one worker thread running `entry` (a file name beside this module, without extension) with `data`. */
export function startWorkerEntry<Data extends RedactionWorkerData>(entry: string, data: Data): Worker {
  const compiled = join(__dirname, `${entry}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData: data });
  // Running from the TypeScript sources (specs, dev runs with --conditions=@navplane/source): load the worker
  // through @swc-node/register, resolving workspace packages to their sources like the parent does.
  const source = join(__dirname, `${entry}.ts`);
  const register = require.resolve('@swc-node/register', { paths: [__dirname] });
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(source)});`, {
    eval: true,
    workerData: data,
    execArgv: ['--conditions=@navplane/source'],
  });
}

/** Starts a redaction worker (redaction.worker.ts): the compiled `.js` when it exists, else the source. */
export function startRedactionWorker(data: RedactionWorkerData): Worker {
  return startWorkerEntry('redaction.worker', data);
}
