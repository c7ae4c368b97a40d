import { AppError } from '@navplane/core';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';
import { enforceRequestPolicy, type PolicyLimits } from '../policy/enforce-policy';
import { bufferedBody } from './buffered-body';

/** Options of readBodyWhenNeeded. */
export interface RequestBodyOptions {
  /** NAVPLANE_MAX_BODY_BYTES: larger bodies get 413 `request_too_large` with no upstream call. */
  maxBodyBytes: number;
  /** Bounds of a `block`/`redact_upstream` evaluation. */
  policyLimits: PolicyLimits;
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
        req.resume(); // drain the rest so the 413 can be answered on this connection
        reject(new AppError('request_too_large', `Request body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return true; // SDKs always send it; curl users often forget
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * The body path. Bodies nobody must read stream straight through to the provider (body capture only keeps a
 * bounded copy as they pass); the gateway reads one only when a `block`/`redact_upstream` policy must evaluate it
 * (fail closed: never forwarded unread), when the adapter needs it (OpenAI chat: exact stream usage), or when its
 * length is unknown (chunked uploads, so the size limit holds). A body declared larger than the limit is refused
 * at once. The policy rewrites the body first; the adapter then prepares what the policy let through.
 */
export function readBodyWhenNeeded({ maxBodyBytes, policyLimits }: RequestBodyOptions): RequestHandler {
  return async function readRequestBody(req, res, next) {
    const context = contextOf(res);
    const route = context.route;
    if (route === undefined) throw new Error('readBodyWhenNeeded runs after resolveRoute');
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      next(new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`));
      return;
    }
    const policy = context.policy;
    const mode = policy?.effective.mode;
    const evaluates = mode === 'block' || mode === 'redact_upstream';
    const chunked = declared === undefined && req.headers['transfer-encoding'] !== undefined;
    const adapterReads = route.adapter.needsRequestBody(req.method, route.pathSuffix);
    if (!adapterReads && !chunked && !evaluates) {
      policy?.capture?.tapRequest(req);
      next();
      return;
    }
    const body = bufferedBody(req, maxBodyBytes) ?? (await readBody(req, maxBodyBytes));
    context.body = body;
    if (evaluates && policy !== undefined && body.length > 0) {
      let enforced;
      try {
        enforced = enforceRequestPolicy(body, req.headers, policy, policyLimits);
      } catch (error) {
        // A blocked request's body is still stored (redacted) with its trace.
        if (policy.action === 'blocked') policy.capture?.requestRead(body, req.headers);
        next(error);
        return;
      }
      policy.capture?.requestEvaluated(enforced.text, policy.requestFindings ?? []);
      if (enforced.rewritten) {
        context.body = Buffer.from(enforced.text, 'utf8');
        delete req.headers['content-encoding'];
      }
    } else {
      policy?.capture?.requestRead(body, req.headers);
    }
    const forwarded = context.body;
    if (adapterReads && forwarded.length > 0 && isJson(req.headers['content-type']) && req.headers['content-encoding'] === undefined) {
      let json: unknown;
      try {
        json = JSON.parse(forwarded.toString('utf8'));
      } catch {
        next(new AppError('invalid_request', 'Request body is not valid JSON'));
        return;
      }
      const prepared = route.adapter.prepareRequest(route.pathSuffix, json, forwarded);
      context.prepared = prepared;
      context.model = prepared.model;
      if (prepared.changed && prepared.bytes !== undefined) context.body = prepared.bytes;
    }
    next();
  };
}
