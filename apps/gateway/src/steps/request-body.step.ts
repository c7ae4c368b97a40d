import type { IncomingMessage } from 'node:http';
import { AppError, joinChunks } from '@navplane/core';
import {
  BODY_NOT_JSON,
  createRequestModelReader,
  parsedJsonBody,
  type PreparedRequest,
  type RequestModelReader,
  type RequestModelSource,
} from '@navplane/providers';
import type { UpstreamBody, WithPolicy } from '../gateway-context';
import type { Step, StepResult } from '../pipeline/pipeline';
import { enforceRequestPolicy, type PolicyLimits } from '../policy/enforce-policy';
import { bufferedBody } from './buffered-body';
import type { ModelChecked } from './model-allowlist.step';

/** Options of readBodyWhenNeeded. */
export interface RequestBodyOptions {
  /** NAVPLANE_MAX_BODY_BYTES: larger bodies get 413 `request_too_large` with no upstream call. */
  maxBodyBytes: number;
  /** Bounds of a `block`/`redact_upstream` evaluation. */
  policyLimits: PolicyLimits;
}

/** What readBodyWhenNeeded adds. */
export interface BodyReading {
  body: UpstreamBody;
  prepared?: PreparedRequest;
  model?: string;
  requestModel?: RequestModelReader;
}

/** Reads a request body into memory, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new AppError('request_too_large', `Request body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(joinChunks(chunks, size));
    };
    const onClose = () => {
      // The client left (or the server's request timeout cut it off) before the body was complete.
      cleanup();
      reject(new AppError('invalid_request', 'The request body was not received in full'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new AppError('invalid_request', 'The request body was not received in full', { cause: error }));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A JSON media type (`application/json`, `…+json`), or none at all: SDKs always send it; curl users often forget. */
export function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

const NO_BODY: UpstreamBody = Object.freeze({ kind: 'none' });

/** Where the request names its model, as the provider says (`requestModelSource`), or undefined. */
function modelSource(context: WithPolicy): RequestModelSource | undefined {
  const { route, method, rawQuery } = context;
  return route.adapter.requestModelSource(method, route.pathSuffix, rawQuery);
}

/**
 * The reader of the model the body names, on routes whose response names none (the provider says where:
 * `requestModelSource`), for a body in `encoding` (compressed bodies are not read); else undefined.
 */
function requestModelReader(context: WithPolicy, req: IncomingMessage, encoding: string | undefined): RequestModelReader | undefined {
  const source = modelSource(context);
  if (source === undefined || source.from === 'url') return undefined;
  const reader = createRequestModelReader(source.from, { contentType: req.headers['content-type'], contentEncoding: encoding });
  const { fallback } = source;
  if (fallback === undefined) return reader;
  // The URL names the model when the body does not (an Azure deployment).
  return { push: (chunk) => reader?.push(chunk), model: () => reader?.model() ?? fallback };
}

/**
 * The model the request names: its URL's (a path segment or query parameter the provider reads), or the one `bytes`
 * name, read by the route's reader (none when no source applies or the body names none).
 */
function modelOf(context: WithPolicy, req: IncomingMessage, bytes: Buffer | undefined, encoding: string | undefined): { model?: string } {
  const source = modelSource(context);
  if (source?.from === 'url') return { model: source.model };
  const reader = bytes === undefined ? undefined : requestModelReader(context, req, encoding);
  if (bytes !== undefined) reader?.push(bytes);
  const model = reader?.model() ?? source?.fallback;
  return model === undefined ? {} : { model };
}

/**
 * The body path. A body that is already wholly buffered in the request (the usual case for small bodies) is taken
 * as bytes: it can be re-sent. Other bodies nobody must read stream straight through to the provider, once (body
 * capture only keeps a bounded copy as they pass, and on routes whose response names no model a bounded scanner reads
 * the model the body names: `requestModelSource`); the gateway reads one only when a `block`/`redact_upstream`
 * policy must evaluate it (fail closed: never forwarded unread), when the adapter needs it (OpenAI chat: exact
 * stream usage), or when its length is unknown (chunked uploads, so the size limit holds). A body declared larger
 * than the limit is refused at once. The policy rewrites the body first; the adapter then prepares what it let through.
 */
export function readBodyWhenNeeded({ maxBodyBytes, policyLimits }: RequestBodyOptions): Step<WithPolicy & ModelChecked, BodyReading> {
  async function readAndPrepare(
    context: WithPolicy & ModelChecked,
    req: IncomingMessage,
    adapterReads: boolean,
    evaluates: boolean,
  ): Promise<StepResult<BodyReading>> {
    const { policy, route } = context;
    // The model allowlist check may have read it already (the request stream is then consumed).
    const body = context.heldBody ?? bufferedBody(req, maxBodyBytes) ?? (await readBody(req, maxBodyBytes));
    let forwarded = body;
    let encoding = req.headers['content-encoding'];
    if (evaluates && body.length > 0) {
      let enforced;
      try {
        enforced = await enforceRequestPolicy(body, req.headers, policy, policyLimits);
      } catch (error) {
        // A blocked request's body is still stored (redacted) with its trace.
        if (policy.action === 'blocked') policy.capture?.requestRead(body, req.headers);
        if (error instanceof AppError) return error;
        throw error;
      }
      policy.capture?.requestEvaluated(enforced.text, enforced.findings);
      if (enforced.rewritten) {
        forwarded = Buffer.from(enforced.text, 'utf8');
        encoding = undefined;
      }
    } else {
      policy.capture?.requestRead(body, req.headers);
    }
    if (adapterReads && forwarded.length > 0 && isJson(req.headers['content-type']) && encoding === undefined) {
      // Parsed once for every step that reads these bytes (the model allowlist, routing, the budget estimate).
      const json = parsedJsonBody(forwarded);
      if (json === BODY_NOT_JSON) return new AppError('invalid_request', 'Request body is not valid JSON');
      const prepared = route.adapter.prepareRequest(route.pathSuffix, json, forwarded);
      if (prepared.changed && prepared.bytes !== undefined) forwarded = prepared.bytes;
      const model = prepared.model ?? modelOf(context, req, undefined, encoding).model;
      return { body: { kind: 'bytes', bytes: forwarded, encoding }, prepared, model };
    }
    return { body: { kind: 'bytes', bytes: forwarded, encoding }, ...modelOf(context, req, forwarded, encoding) };
  }

  return {
    name: 'readBodyWhenNeeded',
    run(context, { req }) {
      const declared = req.headers['content-length'];
      const length = declared === undefined ? undefined : Number(declared);
      if (length !== undefined && length > maxBodyBytes)
        return new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`);
      const mode = context.policy.effective.mode;
      const evaluates = mode === 'block' || mode === 'redact_upstream';
      const chunked = declared === undefined && req.headers['transfer-encoding'] !== undefined;
      const adapterReads = context.route.adapter.needsRequestBody(context.method, context.route.pathSuffix);
      const held = context.heldBody;
      if (adapterReads || evaluates || (chunked && held === undefined)) return readAndPrepare(context, req, adapterReads, evaluates);
      if (held !== undefined) {
        // Read (and bounded) by the model allowlist check: bytes, re-sendable, like a buffered body.
        const encoding = req.headers['content-encoding'];
        context.policy.capture?.requestRead(held, req.headers);
        return { body: { kind: 'bytes', bytes: held, encoding }, ...modelOf(context, req, held, encoding) };
      }
      if (length === undefined || length === 0) {
        if (!req.complete) req.resume(); // nothing to send; let the message end
        return { body: NO_BODY, ...modelOf(context, req, undefined, undefined) };
      }
      // Already all here: take it as bytes (re-sendable, no stream hand-off).
      const encoding = req.headers['content-encoding'];
      const buffered = bufferedBody(req, maxBodyBytes);
      if (buffered !== undefined) {
        context.policy.capture?.requestRead(buffered, req.headers);
        return { body: { kind: 'bytes', bytes: buffered, encoding }, ...modelOf(context, req, buffered, encoding) };
      }
      // Streamed through: body capture's bounded copy and the model reader see each chunk as it goes upstream.
      const capture = context.policy.capture?.streamedRequest(req);
      const requestModel = requestModelReader(context, req, encoding);
      if (requestModel === undefined) {
        const body: UpstreamBody = capture === undefined ? { kind: 'stream', length } : { kind: 'stream', length, observe: capture };
        return { body, ...modelOf(context, req, undefined, encoding) };
      }
      const observe =
        capture === undefined
          ? (chunk: Buffer) => requestModel.push(chunk)
          : (chunk: Buffer) => {
              capture(chunk);
              requestModel.push(chunk);
            };
      return { body: { kind: 'stream', length, observe }, requestModel };
    },
  };
}
