import { newId, toIso } from '@navplane/core';
import type { NewTrace } from '@navplane/storage';

/**
 * A trace for specs to write or enqueue: a successful, non-streamed OpenAI chat completion of `orgId` started at
 * `startedMs` (its id sorts by that time), with `fields` on top.
 */
export function newTrace(orgId: string, startedMs: number, fields: Partial<NewTrace> = {}): NewTrace {
  return {
    id: newId('trace', startedMs),
    orgId,
    provider: 'openai',
    model: 'gpt-4o-mini',
    route: '/v1/chat/completions',
    method: 'POST',
    status: 200,
    requestId: newId('request'),
    startedAt: toIso(startedMs),
    latencyMs: 5,
    costStatus: 'unknown',
    stream: false,
    ...fields,
  };
}
