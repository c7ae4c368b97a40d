import type { IncomingMessage } from 'node:http';
import { MAX_MODEL_NAME_LENGTH } from '@navplane/auth';
import { AppError } from '@navplane/core';
import { readRequestedModel, type RequestedModel } from '@navplane/providers';
import type { Authenticated } from '../gateway-context';
import { Refusal, type Step, type StepResult } from '../pipeline/pipeline';
import { bufferedBody } from './buffered-body';
import { readBody } from './request-body.step';

/** Options of checkModelAllowlist. */
export interface ModelAllowlistOptions {
  /** NAVPLANE_MAX_BODY_BYTES: a body read for its model is bounded like any other (413 above). */
  maxBodyBytes: number;
}

/** What checkModelAllowlist adds (only for a key with an allowlist; nothing otherwise). */
export interface ModelChecked {
  /**
   * The model name the client sent, exactly, once it was checked against the key's allowlist. This is the name a
   * routing table resolves (a route's name, docs/gateway.md "Model allowlists"): the check always runs on it, before
   * any route resolution, never on the model a route sends upstream.
   */
  readonly model?: string;
  /** The request body, when the check had to read it: the body step forwards these bytes (the stream is consumed). */
  readonly heldBody?: Buffer;
}

const NOTHING: ModelChecked = Object.freeze({});

/** A model name as the error message and the trace show it: client text, bounded. */
function shown(model: string): string {
  return model.length > MAX_MODEL_NAME_LENGTH ? `${model.slice(0, MAX_MODEL_NAME_LENGTH)}…` : model;
}

function notAllowed(message: string, known: ModelChecked = NOTHING): Refusal<ModelChecked> {
  return new Refusal(new AppError('model_not_allowed', message), known);
}

/** The answer for a model the request names: on the list (exact, case-sensitive), or refused. */
function decide(allowed: ReadonlySet<string>, model: string, heldBody: Buffer | undefined): StepResult<ModelChecked> {
  const added: ModelChecked = heldBody === undefined ? { model } : { model, heldBody };
  if (allowed.has(model)) return added;
  // The trace records the refused name (bounded) so the tenant sees what was asked for.
  const known: ModelChecked = model.length > MAX_MODEL_NAME_LENGTH ? {} : { model };
  return notAllowed(`This key may not use the model "${shown(model)}"`, known);
}

/**
 * Enforces a key's model allowlist (docs/gateway.md, "Model allowlists") before anything goes upstream: the model
 * the client asked for — where the route's adapter says it is named (`modelSelection`: the body's `model`, a
 * multipart field, the URL) — must be on the key's list, matched exactly and case-sensitively, else 403
 * `model_not_allowed`. A route that runs no client-chosen model passes; one whose model cannot be read is refused, as is
 * a body that names none (except where naming one is optional: token counting). A key without an allowlist pays one
 * property test: no body is read for it. For a key with one, a model in the body means the body is read (bounded by
 * `maxBodyBytes`) and handed on to the body step.
 */
export function checkModelAllowlist({ maxBodyBytes }: ModelAllowlistOptions): Step<Authenticated, ModelChecked> {
  function fromBody(allowed: ReadonlySet<string>, optional: boolean, req: IncomingMessage, body: Buffer): StepResult<ModelChecked> {
    const requested: RequestedModel = readRequestedModel(body, {
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
    });
    switch (requested.kind) {
      case 'named':
        return decide(allowed, requested.model, body);
      case 'unnamed':
        if (!optional) return notAllowed('This key may use only named models, and the request names none');
        return body.length === 0 ? NOTHING : { heldBody: body };
      case 'unreadable':
        return notAllowed(`This key may use only named models, and the request's model cannot be read: ${requested.reason}`);
    }
  }

  return {
    name: 'checkModelAllowlist',
    run(context, { req }) {
      const allowed = context.key.models;
      if (allowed === undefined) return NOTHING;
      const { route, method, rawQuery } = context;
      const selection = route.adapter.modelSelection(method, route.pathSuffix, rawQuery);
      switch (selection.in) {
        case 'none':
          return NOTHING;
        case 'url':
          return decide(allowed, selection.model, undefined);
        case 'unreadable':
          return notAllowed('This key may use only named models, and this request runs a model the gateway cannot check');
        case 'body': {
          const declared = req.headers['content-length'];
          if (declared !== undefined && Number(declared) > maxBodyBytes) {
            return new AppError('request_too_large', `Request body is larger than ${maxBodyBytes} bytes`);
          }
          const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
          if (!hasBody) {
            if (!req.complete) req.resume(); // nothing to read; let the message end
            return fromBody(allowed, selection.optional, req, Buffer.alloc(0));
          }
          const buffered = bufferedBody(req, maxBodyBytes);
          if (buffered !== undefined) return fromBody(allowed, selection.optional, req, buffered);
          return readBody(req, maxBodyBytes).then(
            (body) => fromBody(allowed, selection.optional, req, body),
            (error: unknown) => {
              if (error instanceof AppError) return error;
              throw error;
            },
          );
        }
      }
    },
  };
}
