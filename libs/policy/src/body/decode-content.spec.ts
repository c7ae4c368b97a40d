import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeContent } from './decode-content';

describe('decodeContent', () => {
  const text = JSON.stringify({ input: 'héllo wörld '.repeat(50) });
  const bytes = Buffer.from(text);

  it.each([
    [undefined, bytes],
    ['identity', bytes],
    ['gzip', gzipSync(bytes)],
    ['x-gzip', gzipSync(bytes)],
    [' GZIP ', gzipSync(bytes)],
    ['deflate', deflateSync(bytes)],
    ['br', brotliCompressSync(bytes)],
  ])('undoes Content-Encoding %s', (encoding, body) => {
    expect(decodeContent(body, encoding, 1_000_000)).toEqual({ ok: true, text });
  });

  it.each([
    ['an unknown encoding', bytes, 'zstd', 1_000_000, 'unsupported_content_encoding'],
    ['a stacked encoding', gzipSync(bytes), 'gzip, br', 1_000_000, 'unsupported_content_encoding'],
    ['a compression bomb', gzipSync(Buffer.alloc(5_000_000)), 'gzip', 100_000, 'too_large'],
    ['a plain body over the limit', bytes, undefined, 100, 'too_large'],
    ['corrupt gzip', Buffer.from('not gzip at all'), 'gzip', 1_000_000, 'unparseable'],
    ['bytes after a deflate stream', Buffer.concat([deflateSync(bytes), Buffer.from('{"more":1}')]), 'deflate', 1_000_000, 'unparseable'],
    ['bytes after a brotli stream', Buffer.concat([brotliCompressSync(bytes), Buffer.from('xx')]), 'br', 1_000_000, 'unparseable'],
    ['garbage after a gzip member', Buffer.concat([gzipSync(bytes), Buffer.from('xx')]), 'gzip', 1_000_000, 'unparseable'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), undefined, 1_000_000, 'unparseable'],
  ])('refuses %s', (_name, body, encoding, max, reason) => {
    expect(decodeContent(body, encoding, max)).toEqual({ ok: false, reason });
  });
});
