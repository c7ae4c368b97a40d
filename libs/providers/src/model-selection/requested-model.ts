import { multipartBoundary } from '../request-model/multipart-model-scanner';
import { BODY_NOT_JSON, parsedJsonBody } from './parsed-body';

/** The model a request body names, read exactly for a model allowlist (`readRequestedModel`). */
export type RequestedModel =
  /** The body names this model (the string the client sent, unchanged). */
  | { readonly kind: 'named'; readonly model: string }
  /** The body names no model. */
  | { readonly kind: 'unnamed' }
  /** The body cannot be read for its model, or names it ambiguously: `reason` says why, for the client. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The body's headers the reader goes by. */
export interface RequestedModelHeaders {
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
}

const UNNAMED: RequestedModel = Object.freeze({ kind: 'unnamed' });
const unreadable = (reason: string): RequestedModel => ({ kind: 'unreadable', reason });
const named = (model: string): RequestedModel => ({ kind: 'named', model });

/**
 * The model a whole request body names, read the way the provider reads it, for enforcement (docs/gateway.md, "Model
 * allowlists"): a `multipart/form-data` body by its `model` field(s), every other body as JSON, by the top-level
 * `model` member (the last one, as JSON parsers keep it). Unlike the tracing scanners it never guesses: a compressed
 * body, JSON that does not parse, a `model` that is not a string, or a form whose `model` fields disagree is
 * `unreadable`. An empty body, or a JSON value that is not an object, names none.
 */
export function readRequestedModel(body: Buffer, { contentType, contentEncoding }: RequestedModelHeaders): RequestedModel {
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') {
    return unreadable('the gateway does not read the model of a compressed body');
  }
  if (body.length === 0) return UNNAMED;
  const media = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (media === 'multipart/form-data') return multipartModel(body, contentType);
  const json = parsedJsonBody(body);
  if (json === BODY_NOT_JSON) return unreadable('the request body is not valid JSON');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return UNNAMED;
  const model = (json as Record<string, unknown>)['model'];
  if (model === undefined) return UNNAMED;
  return typeof model === 'string' ? named(model) : unreadable('the request body names its model with something other than a string');
}

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const PADDING = /^[ \t]*$/;
const NAME_PARAM = /;\s*name\s*=\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^;\s"]+))/i;
const ANY_NAME_PARAM = /;\s*name\*?\s*=/gi;
const IRREGULAR = 'the multipart body is not a regular form (the gateway reads the model of regular forms only)';

/** How often `needle` occurs in `haystack`. */
function count(haystack: Buffer, needle: Buffer): number {
  let found = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) found += 1;
  return found;
}

/**
 * The `model` field of a whole multipart form. Strict, so that no other parser can see a model this one misses: every
 * `--boundary` in the body must open a line (after CRLF, or at the very start) and be followed by `--` or padding to
 * the line's end; a part's headers must end before the next delimiter; a part may carry one `name` parameter; and
 * every part named `model` must hold the same valid UTF-8 text. Anything else is `unreadable`.
 */
function multipartModel(body: Buffer, contentType: string | undefined): RequestedModel {
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) return unreadable('the multipart body has no valid boundary');
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  const opensBody = body.subarray(0, dashBoundary.length).equals(dashBoundary);
  if (count(body, dashBoundary) !== count(body, delimiter) + (opensBody ? 1 : 0)) return unreadable(IRREGULAR);
  let at = opensBody ? dashBoundary.length : body.indexOf(delimiter);
  if (at === -1) return unreadable('the multipart body has no parts');
  if (!opensBody) at += delimiter.length;
  const values = new Set<string>();
  for (;;) {
    // Right after a delimiter: `--` closes the form; otherwise padding to the end of the line, then the part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd === -1 || !PADDING.test(body.toString('latin1', at, lineEnd))) return unreadable(IRREGULAR);
    // No headers: the blank line follows at once (`lineEnd` is then the start of the CRLF CRLF).
    const headersEnd = body.indexOf(HEADER_END, lineEnd);
    const next = body.indexOf(delimiter, lineEnd);
    if (headersEnd === -1 || next === -1) return unreadable('the multipart body is cut short');
    const contentStart = headersEnd + HEADER_END.length;
    if (next < contentStart) return unreadable(IRREGULAR);
    const name = partName(body.toString('latin1', lineEnd + CRLF.length, headersEnd));
    if (name === null) return unreadable(IRREGULAR);
    if (name === 'model') {
      const bytes = body.subarray(contentStart, next);
      const text = bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(bytes)) return unreadable('the multipart model field is not valid UTF-8');
      values.add(text);
    }
    at = next + delimiter.length;
  }
  if (values.size > 1) return unreadable('the multipart body names more than one model');
  const [model] = values;
  return model === undefined ? UNNAMED : named(model);
}

/**
 * The `name` of a part's `Content-Disposition` header; undefined when it has none; null when it is ambiguous (several
 * such headers, several `name` parameters, or an extended `name*`).
 */
function partName(headerBlock: string): string | undefined | null {
  const dispositions = headerBlock
    .split('\r\n')
    .map((line) => ({ line, colon: line.indexOf(':') }))
    .filter(({ line, colon }) => colon !== -1 && line.slice(0, colon).trim().toLowerCase() === 'content-disposition');
  if (dispositions.length === 0) return undefined;
  const [only] = dispositions;
  if (only === undefined || dispositions.length > 1) return null;
  const value = only.line.slice(only.colon + 1);
  const names = value.match(ANY_NAME_PARAM) ?? [];
  if (names.length === 0) return undefined;
  if (names.length > 1 || names[0]?.includes('*') === true) return null;
  const match = NAME_PARAM.exec(value);
  return match?.[1] ?? match?.[2] ?? null;
}
