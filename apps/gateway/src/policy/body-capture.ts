import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  createStreamingTextRedactor,
  redactJson,
  redactPlainText,
  summarizeFindings,
  type DetectorSummary,
  type Finding,
  type Redactor,
} from '@navplane/policy';
import { createResponseAssembler, type AssembledTextFilter, type ProviderId } from '@navplane/providers';
import { bodyKind, decodeContent } from './body-content';

/** What storage did with one body, for the decision record: counts and hashes only, never text. */
export interface StoredBodyRecord {
  stored: boolean;
  /** The stored text is a prefix (the body was longer than NAVPLANE_CAPTURE_MAX_BYTES, or the stream was cut). */
  truncated?: boolean;
  /** Why nothing was stored. */
  reason?: string;
  detections: DetectorSummary[];
}

/** The redacted bodies of one request and how they were made. */
export interface CapturedBodies {
  requestBody: string | null;
  responseBody: string | null;
  request: StoredBodyRecord;
  response: StoredBodyRecord;
}

// A prefix cut at the size bound may end inside a secret the detectors cannot recognise any more: this much of
// its tail is dropped before redaction rather than stored raw.
const CUT_HOLDBACK_CHARS = 256;

/** Reverses the JSON string escapes a detector would otherwise miss in a JSON prefix that cannot be parsed. */
function unescapeJsonText(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\\//g, (match, hex: string | undefined) =>
    hex === undefined ? '/' : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** A bounded copy of a body as it passes: at most `maxBytes`, `complete` false once something was left out. */
interface BodyBytes {
  kind: 'bytes';
  chunks: Buffer[];
  size: number;
  complete: boolean;
  headers: IncomingHttpHeaders;
}

type RequestSource = { kind: 'evaluated'; text: string; findings: readonly Finding[] } | BodyBytes;

/** Starts a bounded copy; returns it and the function that adds a chunk. */
function boundedCopy(headers: IncomingHttpHeaders, maxBytes: number): [BodyBytes, (chunk: Buffer) => void] {
  const copy: BodyBytes = { kind: 'bytes', chunks: [], size: 0, complete: true, headers };
  const add = (chunk: Buffer) => {
    if (!copy.complete) return;
    const room = maxBytes - copy.size;
    if (chunk.length > room) {
      copy.chunks.push(chunk.subarray(0, room));
      copy.size = maxBytes;
      copy.complete = false;
      return;
    }
    copy.chunks.push(chunk);
    copy.size += chunk.length;
  };
  return [copy, add];
}

/**
 * Body capture for one request (NAVPLANE_CAPTURE_BODIES): it keeps at most `maxBytes` of each body as it passes
 * (never delaying or changing what flows), and `finish()` turns what it kept into redacted text. Streamed
 * responses are assembled (`createResponseAssembler`) through streaming redactors, so a value split across
 * chunks is never stored raw. Any failure to redact stores no body (and says why).
 */
export class BodyCapture {
  #request: RequestSource | undefined;
  #responseFinish: (() => { text: string | null; record: StoredBodyRecord }) | undefined;

  constructor(
    private readonly redactor: Redactor,
    private readonly maxBytes: number,
    private readonly provider: ProviderId,
  ) {}

  /** The request body as the policy evaluated it: `text` is what went upstream (redacted when it had to be). */
  requestEvaluated(text: string, findings: readonly Finding[]): void {
    this.#request = { kind: 'evaluated', text, findings };
  }

  /** The whole request body, read by the gateway for another reason. */
  requestRead(body: Buffer, headers: IncomingHttpHeaders): void {
    const [copy, add] = boundedCopy(headers, this.maxBytes);
    add(body);
    this.#request = copy;
  }

  /**
   * Keeps a copy of a request body that streams straight through: the tap is attached when http-proxy pipes the
   * request upstream, so both see every chunk and nothing waits for the copy.
   */
  tapRequest(req: IncomingMessage): void {
    const [source, onData] = boundedCopy(req.headers, this.maxBytes);
    this.#request = source;
    const pipe = req.pipe;
    req.pipe = function pipeWithCapture<T extends NodeJS.WritableStream>(this: IncomingMessage, destination: T, options?: { end?: boolean }): T {
      req.on('data', onData);
      return pipe.call(this, destination, options) as T;
    } as typeof req.pipe;
  }

  /** Starts capturing the upstream response; returns the observer to call with each chunk the client is sent. */
  response(headers: IncomingHttpHeaders, isSse: boolean): (chunk: Buffer) => void {
    if (isSse) {
      const findings: Finding[] = [];
      const assembler = createResponseAssembler({
        provider: this.provider,
        maxChars: this.maxBytes,
        createTextFilter: (): AssembledTextFilter => {
          const redactor = createStreamingTextRedactor(this.redactor);
          return {
            push: (piece) => redactor.push(piece),
            end: () => {
              const rest = redactor.end();
              findings.push(...redactor.findings());
              return rest;
            },
          };
        },
      });
      let failed = false;
      this.#responseFinish = () => {
        if (failed) return { text: null, record: { stored: false, reason: 'detector_error', detections: [] } };
        try {
          const assembled = assembler.end();
          return {
            text: JSON.stringify(assembled.body),
            record: { stored: true, truncated: assembled.truncated, detections: summarizeFindings(findings) },
          };
        } catch {
          return { text: null, record: { stored: false, reason: 'detector_error', detections: [] } };
        }
      };
      return (chunk) => {
        if (failed) return;
        try {
          assembler.push(chunk);
        } catch {
          failed = true; // observed copies only: the client stream is not affected
        }
      };
    }
    const [source, add] = boundedCopy(headers, this.maxBytes);
    this.#responseFinish = () => this.#redactBytes(source);
    return add;
  }

  /** The redacted bodies (null where nothing could be stored safely). Call once, after the exchange ended. */
  finish(): CapturedBodies {
    const request = this.#finishRequest();
    const response = this.#responseFinish?.() ?? { text: null, record: { stored: false, reason: 'no_response_body', detections: [] } };
    return { requestBody: request.text, responseBody: response.text, request: request.record, response: response.record };
  }

  #finishRequest(): { text: string | null; record: StoredBodyRecord } {
    const source = this.#request;
    if (source === undefined) return { text: null, record: { stored: false, reason: 'no_request_body', detections: [] } };
    if (source.kind === 'evaluated') {
      const truncated = source.text.length > this.maxBytes;
      return {
        text: truncated ? source.text.slice(0, this.maxBytes) : source.text,
        record: { stored: true, ...(truncated ? { truncated } : {}), detections: summarizeFindings(source.findings) },
      };
    }
    return this.#redactBytes(source);
  }

  #redactBytes(source: BodyBytes): { text: string | null; record: StoredBodyRecord } {
    const notStored = (reason: string) => ({ text: null, record: { stored: false, reason, detections: [] } });
    if (source.size === 0) return source.complete ? notStored('empty') : notStored('unsupported_content_type');
    const kind = bodyKind(source.headers['content-type']);
    if (kind === 'other') return notStored('unsupported_content_type');
    const bytes = source.chunks.length === 1 ? (source.chunks[0] as Buffer) : Buffer.concat(source.chunks, source.size);
    try {
      if (source.complete) {
        const decoded = decodeContent(bytes, source.headers['content-encoding'], this.maxBytes * 4);
        if (!decoded.ok) return notStored(decoded.reason);
        const result = kind === 'json' ? redactJson(this.redactor, decoded.text, { mode: 'redact' }) : redactPlainText(this.redactor, decoded.text, { mode: 'redact' });
        const text = result.text ?? decoded.text;
        const truncated = text.length > this.maxBytes;
        return {
          text: truncated ? text.slice(0, this.maxBytes) : text,
          record: { stored: true, ...(truncated ? { truncated } : {}), detections: summarizeFindings(result.findings) },
        };
      }
      // Only a prefix was kept: it cannot be parsed, so it is redacted as text (JSON escapes undone first), minus
      // the tail that may hold half a secret.
      const encoding = source.headers['content-encoding'];
      if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return notStored('unsupported_content_encoding');
      const prefix = bytes.toString('utf8');
      const kept = prefix.slice(0, Math.max(0, prefix.length - CUT_HOLDBACK_CHARS));
      const result = redactPlainText(this.redactor, kind === 'json' ? unescapeJsonText(kept) : kept, { mode: 'redact' });
      return {
        text: result.text ?? (kind === 'json' ? unescapeJsonText(kept) : kept),
        record: { stored: true, truncated: true, detections: summarizeFindings(result.findings) },
      };
    } catch {
      // Unparseable, too slow, or a detector failed: store nothing rather than anything unredacted.
      return notStored('redaction_failed');
    }
  }
}
