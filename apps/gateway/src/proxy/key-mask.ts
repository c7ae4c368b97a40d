import type { IncomingHttpHeaders } from 'node:http';

/** How many trailing characters of a masked key stay visible (as the provider-key listing shows them). */
const VISIBLE_TAIL = 4;

/** The key with every character but the last four replaced by `*`: the same length, so Content-Length holds. */
export function maskedKey(key: string): string {
  const visible = key.length > VISIBLE_TAIL * 4 ? VISIBLE_TAIL : 0;
  return '*'.repeat(key.length - visible) + key.slice(key.length - visible);
}

/** Streams bytes through, replacing every occurrence of `secret` by its mask, even across chunk boundaries. */
export interface KeyMask {
  /** Takes a chunk; returns what can be sent now (the last `secret.length - 1` bytes are held back). */
  push(chunk: Buffer): Buffer;
  /** Returns what was held back. */
  end(): Buffer;
  /** True once an occurrence was masked. */
  readonly masked: boolean;
}

/**
 * A masker of `secret` (the provider key the gateway injected) in an upstream error body. The mask has the key's
 * length, so the body keeps its size; a key split across chunks is caught by holding back one key length less a byte.
 */
export function createKeyMask(secret: string): KeyMask {
  const needle = Buffer.from(secret, 'utf8');
  const mask = Buffer.from(maskedKey(secret), 'utf8');
  const holdback = needle.length - 1;
  let pending = Buffer.alloc(0);
  let masked = false;
  const replaceAll = (buffer: Buffer): void => {
    let at = buffer.indexOf(needle);
    while (at !== -1) {
      mask.copy(buffer, at);
      masked = true;
      at = buffer.indexOf(needle, at + needle.length);
    }
  };
  return {
    push(chunk) {
      const joined = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
      replaceAll(joined);
      const cut = Math.max(0, joined.length - holdback);
      pending = joined.subarray(cut);
      return joined.subarray(0, cut);
    },
    end() {
      const rest = pending;
      pending = Buffer.alloc(0);
      return rest;
    },
    get masked() {
      return masked;
    },
  };
}

/** Masks `secret` in every header value (an upstream that echoes the key in a header). */
export function maskHeaders(headers: IncomingHttpHeaders, secret: string): IncomingHttpHeaders {
  const mask = maskedKey(secret);
  let out: IncomingHttpHeaders | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const hit = Array.isArray(value) ? value.some((item) => item.includes(secret)) : value.includes(secret);
    if (!hit) continue;
    out ??= { ...headers };
    out[name] = Array.isArray(value) ? value.map((item) => item.replaceAll(secret, mask)) : value.replaceAll(secret, mask);
  }
  return out ?? headers;
}
