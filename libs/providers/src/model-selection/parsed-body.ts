import { NOT_JSON, parseJsonBytes } from '../sse/json-bytes';

/** What parsedJsonBody gives for bytes that are not JSON. */
export const BODY_NOT_JSON = NOT_JSON;

// A request body's bytes are one Buffer for the whole request (held, re-sendable): read by the model allowlist, the
// routing table, the budget estimate and the adapter's prepareRequest, each of which needs it parsed. Parsed once per
// Buffer; the entry goes with the Buffer.
const parsed = new WeakMap<Buffer, unknown>();

/**
 * `JSON.parse` of a request body's UTF-8 bytes, or BODY_NOT_JSON, parsed once per Buffer however many steps read it
 * (an agent's request body can be hundreds of kilobytes). The value is shared by every reader of these bytes: read
 * it, never change it. Bytes that changed are a new Buffer (a policy's rewrite, an adapter's), so a new parse.
 */
export function parsedJsonBody(body: Buffer): unknown {
  if (parsed.has(body)) return parsed.get(body);
  const value = parseJsonBytes(body);
  parsed.set(body, value);
  return value;
}
