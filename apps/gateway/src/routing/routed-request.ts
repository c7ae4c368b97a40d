import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '@navplane/core';
import type { RetryOn } from '@navplane/routing';
import type { AttemptRecord, Ready, UpstreamBody } from '../gateway-context';
import type { Exchange } from '../pipeline/pipeline';
import type { UpstreamCredential } from '../pipeline/upstream-credential';
import { answerError, type AttemptGate, type DispatchAttempt, type ProxyOutcome, type RoutedForwarder } from '../proxy/forward-upstream';
import type { UpstreamFailure } from '../proxy/upstream-failure';
import { resolveUpstreamCredential, type GetProviderKey } from '../steps/credential.step';
import type { PlannedTarget } from '../steps/model-route.step';
import type { BreakerPermit, CircuitBreakers } from './circuit-breakers';
import { replaceJsonModel } from './json-model';
import type { Random } from './target-order';

/** A `Retry-After` up to this is waited for before the same target is tried again; a longer one moves on. */
export const MAX_RETRY_AFTER_MS = 5_000;
/** Backoff between attempts on one target: 100 ms × 2^(tries − 1), full jitter, at most this. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/** Options of createRoutedForwarder. */
export interface RoutedForwarderOptions {
  readonly breakers: CircuitBreakers;
  readonly getProviderKey: GetProviderKey;
  /** NAVPLANE_UPSTREAM_TIMEOUT_MS: every attempt of a request (and the waits between them) within it, from the first. */
  readonly deadlineMs: number;
  /** NAVPLANE_ROUTE_ATTEMPT_TIMEOUT_MS: the response-header wait of one attempt (0: only the deadline). */
  readonly attemptTimeoutMs: number;
  /** Told how a request ended that no attempt answered (no healthy target, no key, client gone while waiting). */
  readonly onComplete: (outcome: ProxyOutcome) => void;
  /** Backoff jitter (Math.random; seeded in tests). */
  readonly random?: Random;
}

/** The `retry.on` class of a response status: 429, 5xx (Anthropic's 529 included), or none. */
export function statusClass(status: number): RetryOn | undefined {
  if (status === 429) return '429';
  return status >= 500 && status <= 599 ? '5xx' : undefined;
}

/**
 * The `retry.on` class of a failure before any byte reached the client: `connect` (refused, reset, DNS, or a response
 * that broke before its first byte), `timeout` (connect or response-header timeout, or silence before the first byte);
 * none for the others (TLS, the egress guard, the client gone), which are answered at once.
 */
export function failureClass(failure: UpstreamFailure): RetryOn | undefined {
  switch (failure) {
    case 'connection_refused':
    case 'connection_reset':
    case 'dns_failure':
    case 'upstream_aborted':
      return 'connect';
    case 'connect_timeout':
    case 'response_timeout':
      return 'timeout';
    default:
      return undefined;
  }
}

/** `Retry-After` in ms (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface Planned {
  readonly index: number;
  readonly permit: BreakerPermit;
  readonly delayMs: number;
}

/**
 * Serves a request by a route of the org's routing table (docs/routing.md, "How a routed request is served"): its
 * targets are tried in the strategy's order, then over again, at most `retry.attempts` upstream attempts in all. The
 * route moves on only on a failure named in `retry.on` and only while no response byte has reached the client (a
 * routed answer's head is held until its first body byte, so a stream falls back until its first byte). Attempts on a
 * target it tried before wait a backoff with full jitter, or a short `Retry-After` (at most 5 s; a longer one moves on
 * to another target, or gives up); all within the request's deadline. A target whose circuit breaker is open is
 * skipped; when every one is, 503 `no_healthy_upstream`. When the attempts run out, the client gets the last
 * response as is, or 502/504 for a connection failure or timeout. Each answer carries `X-NavPlane-Attempts` and
 * `X-NavPlane-Upstream`; the trace gets the route, every attempt, and usage, model and cost from the one that answered.
 */
export function createRoutedForwarder(options: RoutedForwarderOptions): RoutedForwarder {
  const { breakers, getProviderKey, deadlineMs, attemptTimeoutMs, onComplete } = options;
  const random = options.random ?? Math.random;

  return function forwardRouted(context: Ready, exchange: Exchange, dispatch: DispatchAttempt) {
    const { req, res } = exchange;
    const route = context.modelRoute;
    if (route === undefined) throw new AppError('internal_error', 'a routed request without its route');
    const targets = route.targets;
    const count = targets.length;
    const deadline = performance.now() + deadlineMs;
    const records: AttemptRecord[] = [];
    const tries = new Array<number>(count).fill(0);
    // Made when a first attempt fails (most requests are answered by their first).
    let excluded: Set<number> | undefined;
    let retryAfter: Map<number, number> | undefined;
    // The body sent to each target model so far (one, mostly).
    const bodies: Array<{ readonly model: string; readonly body: UpstreamBody }> = [];
    let cursor = 0;
    let upstreamAttempts = 0;
    let keyError: AppError | undefined;
    let gone = false;

    const plan = (): Planned | undefined => {
      if (upstreamAttempts >= route.attempts) return undefined;
      for (let step = 0; step < count; step += 1) {
        const index = (cursor + step) % count;
        if (excluded?.has(index) === true) continue;
        const tried = tries[index] ?? 0;
        const backoff = tried === 0 ? 0 : random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (tried - 1));
        const delayMs = Math.max(backoff, tried === 0 ? 0 : (retryAfter?.get(index) ?? 0));
        if (performance.now() + delayMs >= deadline) continue;
        const permit = breakers.tryAcquire((targets[index] as PlannedTarget).breaker);
        if (permit === undefined) continue;
        cursor = (index + 1) % count;
        return { index, permit, delayMs };
      }
      return undefined;
    };

    const routing = (answered?: PlannedTarget) => ({
      name: route.name,
      attempts: records,
      ...(answered === undefined ? {} : { answered: answered.route }),
    });

    const routeHeaders = (answered?: PlannedTarget): Record<string, string> => {
      const headers: Record<string, string> = { 'x-navplane-attempts': String(upstreamAttempts) };
      if (answered !== undefined) headers['x-navplane-upstream'] = `${answered.route.adapter.id}/${answered.target.model}`;
      return headers;
    };

    // Ends a request no attempt answered: the gateway's own error, traced with the attempts made.
    const refuse = (error: AppError) => {
      const overheadMs = context.preUpstreamMs ?? performance.now() - context.startedAt;
      if (!res.headersSent && !res.destroyed) answerError(context, req, res, error, overheadMs, routeHeaders());
      onComplete({
        context,
        status: res.statusCode,
        stream: false,
        latencyMs: performance.now() - context.startedAt,
        overheadMs,
        errorClass: error.code,
        routing: routing(),
      });
    };

    const clientLeft = () => {
      gone = true;
      onComplete({
        context,
        status: 0,
        stream: false,
        latencyMs: performance.now() - context.startedAt,
        errorClass: 'client_aborted',
        upstreamFailure: 'client_aborted',
        routing: routing(),
      });
    };

    const bodyFor = (model: string): UpstreamBody => {
      const body = context.body;
      if (body.kind !== 'bytes') return body;
      const sent = bodies.find((entry) => entry.model === model);
      if (sent !== undefined) return sent.body;
      const rewritten: UpstreamBody = { kind: 'bytes', bytes: replaceJsonModel(body.bytes, model) ?? body.bytes, encoding: body.encoding };
      bodies.push({ model, body: rewritten });
      return rewritten;
    };

    const next = (planned: Planned | undefined, fallback: () => void) => {
      if (planned === undefined) fallback();
      else start(planned);
    };

    const start = (planned: Planned) => {
      if (gone || res.destroyed) {
        planned.permit.release();
        if (!gone) clientLeft();
        return;
      }
      if (planned.delayMs > 0) {
        const timer = setTimeout(() => {
          res.off('close', onClose);
          send(planned);
        }, planned.delayMs);
        const onClose = () => {
          clearTimeout(timer);
          planned.permit.release();
          clientLeft();
        };
        res.once('close', onClose);
        return;
      }
      send(planned);
    };

    const send = (planned: Planned) => {
      const target = targets[planned.index] as PlannedTarget;
      const credential = resolveUpstreamCredential(getProviderKey, {
        orgId: context.key.orgId,
        adapter: target.route.adapter,
        keyName: target.target.key,
        mode: context.credentialMode,
        clientCredential: context.clientCredential,
      });
      if (credential instanceof Promise) {
        credential.then(
          (resolved) => withCredential(planned, target, resolved),
          (error: unknown) => withCredential(planned, target, new AppError('internal_error', 'Internal error', { cause: error })),
        );
      } else {
        withCredential(planned, target, credential);
      }
    };

    const withCredential = (planned: Planned, target: PlannedTarget, credential: UpstreamCredential | AppError) => {
      if (gone || res.destroyed) {
        planned.permit.release();
        if (!gone) clientLeft();
        return;
      }
      if (credential instanceof AppError) {
        // Nothing was sent: not an upstream attempt, and not the target's fault (its breaker is untouched).
        planned.permit.release();
        records.push({
          provider: target.route.adapter.id,
          model: target.target.model,
          key: target.target.key,
          status: null,
          failure: credential.code,
          latencyMs: 0,
          backoffMs: Math.round(planned.delayMs),
        });
        (excluded ??= new Set()).add(planned.index);
        keyError ??= credential;
        next(plan(), () => refuse(keyError ?? credential));
        return;
      }
      tries[planned.index] = (tries[planned.index] ?? 0) + 1;
      upstreamAttempts += 1;
      const startedAt = performance.now();
      let responded = false;
      let settled = false;
      const record = (status: number | null, failure: string | null) => {
        records.push({
          provider: target.route.adapter.id,
          model: target.target.model,
          key: target.target.key,
          status,
          failure,
          latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
          backoffMs: Math.round(planned.delayMs),
        });
      };
      // Moves on to the next attempt when there is one (this attempt then counts as a failure), else false.
      const moveOn = (status: number | null, failure: string | null): boolean => {
        const following = plan();
        if (following === undefined) return false;
        settled = true;
        record(status, failure);
        planned.permit.failure();
        process.nextTick(start, following);
        return true;
      };
      const remaining = Math.max(1, Math.floor(deadline - performance.now()));
      const gate: AttemptGate = {
        retryOnHead(status: number, headers: IncomingHttpHeaders) {
          const cls = statusClass(status);
          if (cls === undefined || !route.retryOn.has(cls)) {
            responded = true;
            return false;
          }
          const wait = retryAfterMs(headers['retry-after']);
          if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) (excluded ??= new Set()).add(planned.index);
          else if (wait !== undefined) (retryAfter ??= new Map()).set(planned.index, wait);
          if (moveOn(status, null)) return true;
          responded = true;
          return false;
        },
        retryOnFailure(failure: UpstreamFailure) {
          const cls = failureClass(failure);
          if (cls === undefined || !route.retryOn.has(cls)) return false;
          return moveOn(null, failure);
        },
        headers: () => routeHeaders(responded ? target : undefined),
        complete(outcome) {
          if (!settled) {
            settled = true;
            const failure = outcome.upstreamFailure;
            const answered = responded && outcome.status > 0;
            record(answered ? outcome.status : null, failure ?? null);
            const cls = answered ? statusClass(outcome.status) : failure === undefined ? undefined : failureClass(failure);
            if (cls !== undefined) planned.permit.failure();
            else if (answered || failure === undefined) planned.permit.success();
            else planned.permit.release();
          }
          const model = outcome.model === undefined || outcome.model === context.model ? target.target.model : outcome.model;
          return { ...outcome, model, routing: routing(responded ? target : undefined) };
        },
        clientGone() {
          gone = true;
        },
      };
      dispatch(context, exchange, {
        target: target.route,
        credential,
        body: bodyFor(target.target.model),
        model: target.target.model,
        headersTimeoutMs: attemptTimeoutMs > 0 ? Math.min(attemptTimeoutMs, remaining) : remaining,
        gate,
      });
    };

    next(plan(), () =>
      refuse(
        new AppError(
          'no_healthy_upstream',
          `Every target of the route "${route.name}" is cut off by its circuit breaker; try again later`,
          { retryable: true },
        ),
      ),
    );
  };
}
