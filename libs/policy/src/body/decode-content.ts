import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Why a body's bytes cannot be read as text. */
export type DecodeFailure = 'unsupported_content_encoding' | 'too_large' | 'unparseable';

/** The decoded text of a body, or why it cannot be read. */
export type DecodedContent = { ok: true; text: string } | { ok: false; reason: DecodeFailure };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** What zlib's sync calls return with `{ info: true }` (@types/node types them as returning the Buffer alone). */
interface InflatedWithInfo {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}

function isInflatedWithInfo(value: unknown): value is InflatedWithInfo {
  if (typeof value !== 'object' || value === null || !('buffer' in value) || !('engine' in value)) return false;
  const { buffer, engine } = value;
  return (
    Buffer.isBuffer(buffer) &&
    typeof engine === 'object' &&
    engine !== null &&
    'bytesWritten' in engine &&
    typeof engine.bytesWritten === 'number'
  );
}

/** The `code` of a thrown zlib error (checked by code: its RangeError may come from another realm, test VMs, so instanceof is not reliable). */
const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined);

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
    let decoded: unknown;
    switch (encoding) {
      case '':
      case 'identity':
        break;
      case 'gzip':
      case 'x-gzip':
        decoded = gunzipSync(body, options);
        break;
      case 'deflate':
        decoded = inflateSync(body, options);
        break;
      case 'br':
        decoded = brotliDecompressSync(body, options);
        break;
      default:
        return { ok: false, reason: 'unsupported_content_encoding' };
    }
    if (decoded !== undefined) {
      if (!isInflatedWithInfo(decoded)) return { ok: false, reason: 'unparseable' };
      // Bytes after the compressed stream are ignored by zlib but might not be by the provider: what was not
      // evaluated must not be forwarded.
      if (decoded.engine.bytesWritten !== body.length) return { ok: false, reason: 'unparseable' };
      bytes = decoded.buffer;
    }
  } catch (error) {
    return { ok: false, reason: codeOf(error) === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'unparseable' };
  }
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large' };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
}
