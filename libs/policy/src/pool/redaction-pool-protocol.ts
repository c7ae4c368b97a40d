import type { BodyEvaluation } from '../body/evaluate-body';
import type { TextBodyKind } from '../body/redact-body';
import type { EngineSettings } from '../engine/redaction-engine';
import type { PolicyEvaluationFailure } from '../policy-evaluation-error';

// The messages between createRedactionPool (main thread) and redaction.worker (one per pool slot).

/** What a worker is started with. */
export interface RedactionWorkerData {
  /** Redactors the worker keeps built, per (salt, detectors, decode bounds). */
  redactorCacheSize: number;
  /** Nice levels the worker thread lowers itself by (0 = none). */
  niceIncrement: number;
}

/** One job: the org's redactor inputs and a body to evaluate. */
export interface RedactionRequest {
  id: number;
  /** What the worker rebuilds the org's redactor from. The salt is a secret: never logged, never echoed back. */
  recipe: EngineSettings;
  /** The body's bytes (a copy, transferred). */
  bytes: Uint8Array;
  contentEncoding: string | undefined;
  kind: TextBodyKind;
  complete: boolean;
  mode: 'scan' | 'redact';
  maxBytes: number;
  /** The deadline as epoch milliseconds (`performance.timeOrigin + deadline`): threads may differ in time origin. */
  deadlineEpochMs: number;
}

/** What a worker answers: once `ready` after start, then one `result` or `failed` per request, in order. */
export type RedactionResponse =
  | { type: 'ready' }
  | { type: 'result'; id: number; evaluation: BodyEvaluation }
  // Only the reason crosses back: an error's message or cause could hold body text.
  | { type: 'failed'; id: number; reason: PolicyEvaluationFailure };
