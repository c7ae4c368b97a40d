import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` random base62 characters (ids look like the providers' without costing much per request). */
export function randomBase62(length: number): string {
  let out = '';
  for (const byte of randomBytes(length)) out += BASE62.charAt(byte % 62);
  return out;
}

/** 32 random hex characters. */
export function randomHex32(): string {
  return randomUUID().replace(/-/g, '');
}

/** An OpenAI-style request id, `req_<32 hex>`. */
export function openaiRequestId(): string {
  return `req_${randomHex32()}`;
}

/** An Anthropic-style request id, `req_011C<20 base62>`. */
export function anthropicRequestId(): string {
  return `req_011C${randomBase62(20)}`;
}

/** Seconds since the epoch, as `created` fields carry. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
