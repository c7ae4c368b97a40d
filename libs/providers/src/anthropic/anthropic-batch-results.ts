import { firstStringMember, hasMember, lastObjectMember, type BatchLineRead, type BatchResults } from '../batch/batch-results';
import { isSafeIdSegment } from '../path-rules';
import { asNonEmptyString, asRecord } from '../usage';
import { anthropicUsage, mergeAnthropicUsage, type AnthropicUsageFields } from './anthropic-usage';

// `GET /v1/messages/batches/{message_batch_id}/results`: the batch's results as JSONL.
const RESULTS = /^\/v1\/messages\/batches\/([^/]+)\/results$/;

const NO_USAGE: BatchLineRead = Object.freeze({ kind: 'result' });
const NOT_BATCH: BatchLineRead = Object.freeze({ kind: 'not_batch' });

function usageOf(value: unknown) {
  const fields: AnthropicUsageFields = {};
  return mergeAnthropicUsage(fields, value) ? anthropicUsage(fields) : undefined;
}

/**
 * One line of a Message Batch's results: `{"custom_id","result":{"type":"succeeded","message":{…}}}`; `errored`,
 * `canceled` and `expired` results carry no message and are not billed.
 */
function readLine(json: unknown): BatchLineRead {
  const line = asRecord(json);
  const customId = asNonEmptyString(line?.['custom_id']);
  const result = asRecord(line?.['result']);
  const type = asNonEmptyString(result?.['type']);
  if (customId === undefined || result === undefined || type === undefined) return NOT_BATCH;
  if (type !== 'succeeded') return NO_USAGE;
  const message = asRecord(result['message']);
  const usage = usageOf(message?.['usage']);
  if (usage === undefined) return NO_USAGE;
  const model = asNonEmptyString(message?.['model']);
  return { kind: 'result', result: { customId, usage, ...(model === undefined ? {} : { model }) } };
}

/** A line too long to hold: `custom_id` and the message's `model` from its head, its `usage` from its tail. */
function readOversizedLine(head: Buffer, tail: Buffer): BatchLineRead {
  const customId = firstStringMember(head, 'custom_id');
  if (customId === undefined || !hasMember(head, 'result')) return NOT_BATCH;
  const usage = usageOf(lastObjectMember(tail, 'usage'));
  if (usage === undefined) return NO_USAGE;
  const model = firstStringMember(head, 'model');
  return { kind: 'result', result: { customId, usage, ...(model === undefined ? {} : { model }) } };
}

/** Anthropic's batch results: a Message Batch's results, recorded under the batch id. */
export const ANTHROPIC_BATCH_RESULTS: BatchResults = Object.freeze({
  sourceOf(method: string, pathSuffix: string): string | undefined {
    if (method !== 'GET') return undefined;
    const id = RESULTS.exec(pathSuffix)?.[1];
    return id !== undefined && isSafeIdSegment(id) ? id : undefined;
  },
  readLine,
  readOversizedLine,
});
