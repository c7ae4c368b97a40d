import type { IncomingMessage } from 'node:http';

const EMPTY = Buffer.alloc(0);

/**
 * The request body when the whole of it is already buffered in `req`, taken at once with no listeners, promise
 * or extra ticks. That is the usual case for small bodies: the parser has pushed them by the time the gateway's
 * async steps (key, vault) have run. "Whole" means the message is complete, or all `Content-Length` bytes are
 * there (the parser's end-of-message call may still be on its way). Undefined when it is not all there yet,
 * someone else is reading it, or it holds more than `limit` bytes: the streaming reader then takes over.
 */
export function bufferedBody(req: IncomingMessage, limit: number): Buffer | undefined {
  if (req.readableFlowing !== null || req.readableEncoding !== null || req.readableObjectMode) return undefined;
  const buffered = req.readableLength;
  if (buffered > limit) return undefined;
  const declared = req.headers['content-length'];
  if (!req.complete && (declared === undefined || buffered !== Number(declared))) return undefined;
  const body = buffered === 0 ? EMPTY : (req.read() as Buffer);
  req.resume(); // run the stream to its end like any consumed body ('end', then destroy)
  return body;
}
