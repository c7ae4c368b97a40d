import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Why a body's bytes cannot be read as text. */
export type DecodeFailure = 'unsupported_content_encoding' | 'too_large' | 'unparseable';

/** The decoded text of a body, or why it cannot be read. */
export type DecodedContent = { ok: true; text: string } | { ok: false; reason: DecodeFailure };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** True for a Content-Encoding that leaves the bytes as they are (none, empty, `identity`). */
export function isIdentityEncoding(contentEncoding: string | undefined): boolean {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  return encoding === '' || encoding === 'identity';
}

/**
 * Undoes `Content-Encoding` (identity, gzip, deflate, br; at most `maxBytes` out, so a compression bomb stays
 * bounded; bytes after the compressed stream are `unparseable`) and decodes strict UTF-8 (invalid bytes are
 * `unparseable`: a detector must never skip what it cannot read).
 */
export function decodeContent(body: Uint8Array, contentEncoding: string | undefined, maxBytes: number): DecodedContent {
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
