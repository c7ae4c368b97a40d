import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { joinChunks } from '@navplane/core';
import { createStreamingTextRedactor, summarizeFindings, type DetectorSummary, type Finding, type Redactor } from '@navplane/policy';
import { createStreamEventAssembler, type AssembledTextFilter, type ProviderAdapter, type StreamEventAssembler } from '@navplane/providers';
import { bodyKind, evaluateBodyWith, type BodyEvaluator } from './body-content';

/**
 * A detector summary as the JSON a decision record stores. The same members as `DetectorSummary`, as a plain object
 * type: an interface has no implicit index signature, so it is not assignable to the trace's `JsonValue`.
 */
export type DetectorSummaryJson = { [K in keyof DetectorSummary]: DetectorSummary[K] };

/**
 * What storage did with one body, for the decision record: counts and hashes only, never text. (Decision records are
 * type aliases, not interfaces, so the compiler checks they are JSON.)
 */
export type StoredBodyRecord = {
  stored: boolean;
  /** The stored text is a prefix (the body was longer than NAVPLANE_CAPTURE_MAX_BYTES, or the stream was cut). */
  truncated?: boolean;
  /** Why nothing was stored. */
  reason?: string;
  detections: DetectorSummaryJson[];
};

/** The redacted bodies of one request and how they were made. */
export interface CapturedBodies {
  requestBody: string | null;
  responseBody: string | null;
  request: StoredBodyRecord;
  response: StoredBodyRecord;
}

/** Bounds of body capture. */
export interface CaptureLimits {
  /** NAVPLANE_CAPTURE_MAX_BYTES: most characters stored per body. */
  storeChars: number;
  /**
   * Most bytes of a body kept for redaction (NAVPLANE_POLICY_MAX_BODY_BYTES): a body up to this size is redacted
   * whole (JSON structure, split values) and then cut to `storeChars`; a longer one only as a text prefix.
   */
  redactBytes: number;
  /** NAVPLANE_POLICY_TIMEOUT_MS: longest one body's redaction may take (a worker's queue included); past it nothing is stored. */
  timeoutMs: number;
  /**
   * The redaction pool (createRedactionPool): large stored copies are decoded and redacted in its workers, off the
   * event loop. Absent: inline (tests, tools).
   */
  pool?: BodyEvaluator;
}

/** A bounded copy of a body as it passes: at most `maxBytes`, `complete` false once something was left out. */
interface BodyBytes {
  kind: 'bytes';
  chunks: Buffer[];
  size: number;
  complete: boolean;
  headers: IncomingHttpHeaders;
  /** Set for tapped request bodies: false when the upload did not finish (client gone). */
  finished?: () => boolean;
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

type Stored = { text: string | null; record: StoredBodyRecord };
const notStored = (reason: string): Stored => ({ text: null, record: { stored: false, reason, detections: [] } });

/**
 * Body capture for one request (NAVPLANE_CAPTURE_BODIES): it keeps a bounded copy of each body as it passes
 * (never delaying or changing what flows), and `finish()` turns it into redacted text: whole bodies are redacted
 * first and then cut to the storage bound, in the redaction pool's workers when they are large. Streamed responses
 * are assembled (`createStreamEventAssembler`, fed the events the stream tap parses) through streaming redactors as
 * they pass, so a value split across chunks is never stored raw. Any failure to redact (unreadable, too slow, a
 * detector error) stores no body, and says why.
 */
export class BodyCapture {
  #request: RequestSource | undefined;
  #responseFinish: ((cut: boolean) => Stored | Promise<Stored>) | undefined;

  constructor(
    private readonly redactor: Redactor,
    private readonly limits: CaptureLimits,
    private readonly adapter: ProviderAdapter,
  ) {}

  /** The request body as the policy evaluated it: `text` is what went upstream (redacted when it had to be). */
  requestEvaluated(text: string, findings: readonly Finding[]): void {
    this.#request = { kind: 'evaluated', text, findings };
  }

  /** The whole request body, read by the gateway for another reason. */
  requestRead(body: Buffer, headers: IncomingHttpHeaders): void {
    const [copy, add] = boundedCopy(headers, this.limits.redactBytes);
    add(body);
    this.#request = copy;
  }

  /**
   * Keeps a copy of a request body that streams straight through: returns the observer the forwarding step attaches
   * to the request when it starts sending it upstream, so both see every chunk and nothing waits for the copy.
   */
  streamedRequest(req: IncomingMessage): (chunk: Buffer) => void {
    const [source, onData] = boundedCopy(req.headers, this.limits.redactBytes);
    source.finished = () => req.complete;
    this.#request = source;
    return onData;
  }

  /** Starts capturing a (non-SSE) upstream response; returns the observer to call with each chunk the client is sent. */
  response(headers: IncomingHttpHeaders): (chunk: Buffer) => void {
    const [source, add] = boundedCopy(headers, this.limits.redactBytes);
    this.#responseFinish = () => this.#redactBytes(source);
    return add;
  }

  /**
   * Starts capturing an SSE upstream response: returns the assembler to hand the stream tap (`StreamTapOptions.
   * assembler`), which feeds it the events it parses for usage, so the stream is parsed once.
   */
  responseStream(): StreamEventAssembler {
    return this.#assembleStream();
  }

  /**
   * The redacted bodies (null where nothing could be stored safely); never rejects. Call once, after the exchange
   * ended; `cut` says it ended early (client gone, upstream broke), so text held back mid-value is dropped, not
   * flushed. The request and the response are redacted at the same time (in two workers when both are large).
   */
  async finish(options: { cut?: boolean } = {}): Promise<CapturedBodies> {
    // Both start now: whether a tapped upload completed is read at the call, not after a wait.
    const [request, response] = await Promise.all([
      this.#finishRequest(),
      this.#responseFinish?.(options.cut === true) ?? notStored('no_response_body'),
    ]);
    return { requestBody: request.text, responseBody: response.text, request: request.record, response: response.record };
  }

  /**
   * The streamed-response path stays on the event loop, chunk by chunk: each push scans the streaming redactor's
   * holdback (256 chars) plus the new delta, and nothing once NAVPLANE_CAPTURE_MAX_BYTES of text is kept. Provider
   * deltas are a few tokens, so each chunk's work is small; one SSE event carrying a huge delta (the parser accepts
   * up to 1 MiB) is scanned whole, without a deadline (docs/policy.md#large-bodies-off-the-event-loop).
   */
  #assembleStream(): StreamEventAssembler {
    const findings: Finding[] = [];
    const assembler = createStreamEventAssembler({
      adapter: this.adapter,
      maxChars: this.limits.storeChars,
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
    this.#responseFinish = (cut) => {
      if (failed) return notStored('redaction_failed');
      try {
        const assembled = assembler.end({ dropHeldText: cut });
        return {
          text: JSON.stringify(assembled.body),
          record: { stored: true, truncated: assembled.truncated, detections: summarizeFindings(findings) },
        };
      } catch {
        return notStored('redaction_failed');
      }
    };
    // Observed copies only: whatever fails here never affects the client stream (the tap forwards regardless).
    const guard = (apply: () => void) => {
      if (failed) return;
      try {
        apply();
      } catch {
        failed = true;
      }
    };
    return {
      onEvent: (event) => guard(() => assembler.onEvent(event)),
      onOversizedEvent: (event) => guard(() => assembler.onOversizedEvent(event)),
      end: (options) => assembler.end(options),
    };
  }

  #finishRequest(): Stored | Promise<Stored> {
    const source = this.#request;
    if (source === undefined) return notStored('no_request_body');
    if (source.kind === 'evaluated') return this.#store(source.text, source.findings, false);
    if (source.finished !== undefined && !source.finished()) source.complete = false; // the upload was cut short
    return this.#redactBytes(source);
  }

  /** `text` (already redacted) cut to the storage bound. */
  #store(text: string, findings: readonly Finding[], truncated: boolean): Stored {
    const cut = truncated || text.length > this.limits.storeChars;
    return {
      text: text.length > this.limits.storeChars ? text.slice(0, this.limits.storeChars) : text,
      record: { stored: true, ...(cut ? { truncated: true } : {}), detections: summarizeFindings(findings) },
    };
  }

  /**
   * A whole body is decoded, redacted whole and then cut. Only a prefix was kept (a body over the redaction bound, or
   * an upload cut short): it cannot be parsed, so it is redacted as text (JSON escapes undone first), minus the
   * tail that may hold half a value (evaluateBody, `complete: false`).
   */
  async #redactBytes(source: BodyBytes): Promise<Stored> {
    if (source.size === 0) return source.complete ? notStored('empty') : notStored('unsupported_content_type');
    const kind = bodyKind(source.headers['content-type']);
    if (kind === 'other') return notStored('unsupported_content_type');
    const bytes = joinChunks(source.chunks, source.size);
    const options = { mode: 'redact' as const, maxBytes: this.limits.redactBytes, deadline: performance.now() + this.limits.timeoutMs };
    const input = { bytes, contentEncoding: source.headers['content-encoding'], kind, complete: source.complete };
    try {
      const result = await evaluateBodyWith(this.limits.pool, this.redactor, input, options);
      if (!result.ok) return notStored(result.reason);
      return this.#store(result.text, result.findings, !source.complete);
    } catch {
      // Unparseable, too slow, or a detector failed: store nothing rather than anything unredacted.
      return notStored('redaction_failed');
    }
  }
}
