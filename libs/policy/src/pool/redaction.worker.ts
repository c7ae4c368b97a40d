// A redaction worker (a worker_threads entry point, started by createRedactionPool). It rebuilds each org's
// redactor from its inputs (cached) and decodes and evaluates bodies, so that work on large, client-controlled
// bodies never runs on the event loop that serves every tenant (docs/policy.md).
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '@navplane/core';
import { evaluateBody } from '../body/evaluate-body';
import { isPolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactorCache } from './redactor-cache';
import type { RedactionRequest, RedactionResponse, RedactionWorkerData } from './redaction-pool-protocol';

const port = parentPort;
if (port === null) throw new Error('redaction.worker must run in a worker thread');
const data = workerData as RedactionWorkerData;
const redactors = createRedactorCache(data.redactorCacheSize);
lowerThreadPriority(data.niceIncrement);

function handle(request: RedactionRequest): RedactionResponse {
  try {
    const redactor = redactors.get(request.recipe);
    const evaluation = evaluateBody(
      redactor,
      { bytes: request.bytes, contentEncoding: request.contentEncoding, kind: request.kind, complete: request.complete },
      { mode: request.mode, maxBytes: request.maxBytes, deadline: request.deadlineEpochMs - performance.timeOrigin },
    );
    return { type: 'result', id: request.id, evaluation };
  } catch (error) {
    // Bad inputs (createRedactor's RangeError) and bugs fail closed like a detector failure; nothing of the
    // error (its message may quote the body) leaves the thread.
    return { type: 'failed', id: request.id, reason: isPolicyEvaluationError(error) ? error.reason : 'detector_error' };
  }
}

port.on('message', (request: RedactionRequest) => {
  port.postMessage(handle(request));
});
port.postMessage({ type: 'ready' } satisfies RedactionResponse);
