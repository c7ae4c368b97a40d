import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { isPolicyEvaluationError, redactJson, redactPlainText, type JsonRedaction, type JsonScanOptions, type Redactor } from '@navplane/policy';

/** How a body can be read by the policy layer. */
export type BodyKind = 'json' | 'text' | 'other';

/**
 * The kind of a body from its Content-Type: JSON (`application/json`, `*+json`, or none at all: SDKs always send
 * one, curl users often forget), plain text (`text/plain`), or other. A charset other than UTF-8 is `other`:
 * the policy layer does not guess encodings.
 */
export function bodyKind(contentType: string | undefined): BodyKind {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  const [media = '', ...params] = contentType.split(';');
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value.trim().toLowerCase())) return 'other';
  }
  const type = media.trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'text/plain') return 'text';
  return 'other';
}

/** The decoded text of a body, or why it cannot be read. */
export type DecodedContent =
  | { ok: true; text: string }
  | { ok: false; reason: 'unsupported_content_encoding' | 'too_large' | 'unparseable' };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Undoes `Content-Encoding` (identity, gzip, deflate, br; at most `maxBytes` out, so a compression bomb stays
 * bounded; bytes after the compressed stream are `unparseable`) and decodes strict UTF-8 (invalid bytes are
 * `unparseable`: a detector must never skip what it cannot read).
 */
export function decodeContent(body: Buffer, contentEncoding: string | undefined, maxBytes: number): DecodedContent {
  let bytes = body;
  const encoding = contentEncoding?.trim().toLowerCase() ?? 'identity';
  const options = { maxOutputLength: maxBytes, info: true } as const;
  try {
    let decoded: { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
    switch (encoding) {
      case '':
      case 'identity':
        break;
      case 'gzip':
      case 'x-gzip':
        decoded = gunzipSync(body, options) as unknown as typeof decoded;
        break;
      case 'deflate':
        decoded = inflateSync(body, options) as unknown as typeof decoded;
        break;
      case 'br':
        decoded = brotliDecompressSync(body, options) as unknown as typeof decoded;
        break;
      default:
        return { ok: false, reason: 'unsupported_content_encoding' };
    }
    if (decoded !== undefined) {
      // Bytes after the compressed stream are ignored by zlib but might not be by the provider: what was not
      // evaluated must not be forwarded.
      if (decoded.engine.bytesWritten !== body.length) return { ok: false, reason: 'unparseable' };
      bytes = decoded.buffer;
    }
  } catch (error) {
    // Checked by code: zlib's RangeError may come from another realm (test VMs), so instanceof is not reliable.
    const code = (error as { code?: unknown } | null)?.code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'unparseable' };
  }
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large' };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
}

/**
 * Redacts (or, with mode `scan`, only scans) a decoded body: JSON token by token; plain text as text, except that a
 * `text/plain` body holding a JSON document is read as JSON (structure, duplicate keys, split values), since a
 * provider may parse it anyway.
 */
export function redactBody(redactor: Redactor, kind: 'json' | 'text', text: string, options: JsonScanOptions): JsonRedaction {
  if (kind === 'json') return redactJson(redactor, text, options);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return redactJson(redactor, text, options);
    } catch (error) {
      if (!isPolicyEvaluationError(error) || error.reason !== 'unparseable') throw error;
    }
  }
  return redactPlainText(redactor, text, options);
}
