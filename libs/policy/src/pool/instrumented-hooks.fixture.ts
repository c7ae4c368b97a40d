// The instrumentation of instrumented.worker.fixture.ts: a shared counter of the jobs running in all workers at once
// (and the highest it reached), the order jobs started in, and test-only behaviours selected by the job's
// contentEncoding (`x-test-sleep-<ms>`: block the thread that long, then evaluate the body as identity;
// `x-test-crash`: the worker dies; `x-test-hang`: it never answers). Its message handler is registered on import,
// before the real worker's.
import { parentPort, workerData } from 'node:worker_threads';
import type { RedactionRequest, RedactionResponse } from './redaction-pool-protocol';

const port = parentPort;
if (port === null) throw new Error('must run in a worker thread');
const { counters } = workerData as { counters: SharedArrayBuffer };
/** [0] running now, [1] most at once, [2] jobs started, [3 …] the `"i"` of each job's body in start order. */
const shared = new Int32Array(counters);

const post = port.postMessage.bind(port);
port.postMessage = (message: RedactionResponse) => {
  if (message.type !== 'ready') Atomics.sub(shared, 0, 1);
  post(message);
};

const pause = new Int32Array(new SharedArrayBuffer(4));

// Registered before the real worker's handler, so it runs first and sees every job as it starts.
port.on('message', (request: RedactionRequest) => {
  const running = Atomics.add(shared, 0, 1) + 1;
  let max = Atomics.load(shared, 1);
  while (running > max) {
    const seen = Atomics.compareExchange(shared, 1, max, running);
    if (seen === max) break;
    max = seen;
  }
  const started = Atomics.add(shared, 2, 1);
  const index = /"i":(\d+)/.exec(Buffer.from(request.bytes.subarray(0, 32)).toString('latin1'))?.[1];
  if (index !== undefined && 3 + started < shared.length) Atomics.store(shared, 3 + started, Number(index));
  const encoding = request.contentEncoding ?? '';
  if (encoding === 'x-test-crash') process.exit(70); // ends this thread at once, with no answer
  if (encoding === 'x-test-hang') for (;;);
  const sleep = /^x-test-sleep-(\d+)$/.exec(encoding);
  if (sleep !== null) {
    Atomics.wait(pause, 0, 0, Number(sleep[1]));
    request.contentEncoding = undefined;
  }
});
