import type { RequestModelLocation } from '../provider-adapter';
import { JsonModelScanner } from './json-model-scanner';
import { multipartBoundary, MultipartModelScanner } from './multipart-model-scanner';

/** Reads the model a request body names, from the body's bytes as they pass (bounded memory, never rejects). */
export interface RequestModelReader {
  /** Feeds the next chunk of the body, in order. */
  push(chunk: Buffer): void;
  /** The model read so far (the last one the body named), or undefined. */
  model(): string | undefined;
}

/** The body's headers a reader needs. */
export interface RequestModelBodyHeaders {
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true; // as the gateway reads bodies: SDKs send it, curl users forget it
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === '' || type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * A reader for a body whose model sits at `location` (`ProviderAdapter.requestModelSource`), or undefined when the
 * body cannot hold it there: another content type, a multipart body without a valid boundary, or a compressed body
 * (the scanners read the bytes as sent, not inflated).
 */
export function createRequestModelReader(
  location: RequestModelLocation | undefined,
  { contentType, contentEncoding }: RequestModelBodyHeaders,
): RequestModelReader | undefined {
  if (location === undefined) return undefined;
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') return undefined;
  if (location === 'json') return isJsonType(contentType) ? new JsonModelScanner() : undefined;
  const boundary = multipartBoundary(contentType);
  return boundary === undefined ? undefined : new MultipartModelScanner(boundary);
}
