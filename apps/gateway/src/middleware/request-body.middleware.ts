import { AppError } from '@navplane/core';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { contextOf } from '../gateway-context';
import { bufferedBody } from './buffered-body';

/** Options of readBodyWhenNeeded. */
export interface RequestBodyOptions {
  /** NAVPLANE_MAX_BODY_BYTES: larger bodies get 413 `request_too_large` with no upstream call. */
  maxBodyBytes: number;
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
 * The body path. Bodies nobody must read stream straight through to the provider; the gateway reads
 * one only when the adapter needs it (OpenAI chat: exact stream usage) or when its length is unknown
 * (chunked uploads, so the size limit holds). A body declared larger than the limit is refused at once.
 * A body that is read is what later steps (policy redaction) may rewrite before it goes upstream.
 */
export function readBodyWhenNeeded({ maxBodyBytes }: RequestBodyOptions): RequestHandler {
  return async function readRequestBody(req, res, next) {
    const context = contextOf(res);
    const route = context.route;
    if (route === undefined) throw new Error('readBodyWhenNeeded runs after resolveRoute');
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      next(new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`));
      return;
    }
    const chunked = declared === undefined && req.headers['transfer-encoding'] !== undefined;
    const adapterReads = route.adapter.needsRequestBody(req.method, route.pathSuffix);
    if (!adapterReads && !chunked) {
      next();
      return;
    }
    const body = bufferedBody(req, maxBodyBytes) ?? (await readBody(req, maxBodyBytes));
    context.body = body;
    if (adapterReads && body.length > 0 && isJson(req.headers['content-type']) && req.headers['content-encoding'] === undefined) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        next(new AppError('invalid_request', 'Request body is not valid JSON'));
        return;
      }
      const prepared = route.adapter.prepareRequest(route.pathSuffix, json, body);
      context.prepared = prepared;
      context.model = prepared.model;
      if (prepared.changed && prepared.bytes !== undefined) context.body = prepared.bytes;
    }
    next();
  };
}
