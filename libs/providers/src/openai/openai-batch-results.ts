import { firstStringMember, hasMember, lastObjectMember, type BatchLineRead, type BatchResults } from '../batch/batch-results';
import { isSafeIdSegment } from '../path-rules';
import { asNonEmptyString, asRecord } from '../usage';
import { openaiUsage } from './openai-usage';

// `GET /v1/files/{file_id}/content`: a batch's output (and error) file, or any other file; told apart by content.
const FILE_CONTENT = /^\/v1\/files\/([^/]+)\/content$/;

/** A result without usage: an error-file line, or a request the API refused (status >= 400). */
const NO_USAGE: BatchLineRead = Object.freeze({ kind: 'result' });
const NOT_BATCH: BatchLineRead = Object.freeze({ kind: 'not_batch' });

/**
 * One line of an OpenAI Batch output or error file: `{"id","custom_id","response":{"status_code","request_id",
 * "body"},"error"}`, the body being the endpoint's usual response (chat completion, embeddings, completion, response).
 * A line without `custom_id` and `response` (a batch input line, a fine-tuning example) is not a batch result.
 */
function readLine(json: unknown): BatchLineRead {
  const line = asRecord(json);
  const customId = asNonEmptyString(line?.['custom_id']);
  if (line === undefined || customId === undefined || !('response' in line)) return NOT_BATCH;
  const response = asRecord(line['response']);
  const status = response?.['status_code'];
  if (typeof status !== 'number' || status < 200 || status >= 300) return NO_USAGE;
  const body = asRecord(response?.['body']);
  const usage = openaiUsage(body?.['usage']);
  if (usage === undefined) return NO_USAGE;
  const model = asNonEmptyString(body?.['model']);
  return { kind: 'result', result: { customId, usage, ...(model === undefined ? {} : { model }) } };
}

/** A line too long to hold: `custom_id` and the body's `model` from its head, the body's `usage` (its last member) from its tail. */
function readOversizedLine(head: Buffer, tail: Buffer): BatchLineRead {
  const customId = firstStringMember(head, 'custom_id');
  if (customId === undefined || !hasMember(head, 'response')) return NOT_BATCH;
  const usage = openaiUsage(lastObjectMember(tail, 'usage'));
  if (usage === undefined) return NO_USAGE;
  const model = firstStringMember(head, 'model');
  return { kind: 'result', result: { customId, usage, ...(model === undefined ? {} : { model }) } };
}

/** OpenAI's batch results: the content of a batch output file, recorded under the file id. */
export const OPENAI_BATCH_RESULTS: BatchResults = Object.freeze({
  sourceOf(method: string, pathSuffix: string): string | undefined {
    if (method !== 'GET') return undefined;
    const id = FILE_CONTENT.exec(pathSuffix)?.[1];
    return id !== undefined && isSafeIdSegment(id) ? id : undefined;
  },
  readLine,
  readOversizedLine,
});
