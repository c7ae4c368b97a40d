import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

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
 * bounded) and decodes strict UTF-8 (invalid bytes are `unparseable`: a detector must never skip what it cannot read).
 */
export function decodeContent(body: Buffer, contentEncoding: string | undefined, maxBytes: number): DecodedContent {
  let bytes = body;
  const encoding = contentEncoding?.trim().toLowerCase() ?? 'identity';
  try {
    switch (encoding) {
      case '':
      case 'identity':
        break;
      case 'gzip':
      case 'x-gzip':
        bytes = gunzipSync(body, { maxOutputLength: maxBytes });
        break;
      case 'deflate':
        bytes = inflateSync(body, { maxOutputLength: maxBytes });
        break;
      case 'br':
        bytes = brotliDecompressSync(body, { maxOutputLength: maxBytes });
        break;
      default:
        return { ok: false, reason: 'unsupported_content_encoding' };
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
