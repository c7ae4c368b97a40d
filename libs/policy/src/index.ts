export * from './resolve/resolve-policy';
export * from './resolve/policy-store';
export * from './resolve/placeholder-salt';
export * from './detector-ids';
export * from './finding';
export * from './placeholder';
export * from './policy-evaluation-error';
export * from './redactor';
export * from './json/redact-json';
export * from './json/redact-plain-text';
export * from './query/redact-query';
export * from './json/scan-options';
export * from './body/decode-content';
export * from './body/redact-body';
export { evaluateBody, PREFIX_HOLDBACK_CHARS, type BodyEvaluation, type BodyEvaluationOptions, type BodyInput } from './body/evaluate-body';
export {
  createRedactionPool,
  defaultRedactionPoolSize,
  DEFAULT_HANG_GRACE_MS,
  DEFAULT_INLINE_MAX_BYTES,
  DEFAULT_MAX_QUEUED,
  DEFAULT_REDACTOR_CACHE_SIZE,
  DEFAULT_REDACTION_NICE_INCREMENT,
  type PoolEvaluationOptions,
  type RedactionPool,
  type RedactionPoolOptions,
  type RedactionPoolStats,
} from './pool/redaction-pool';
export { createRedactorCache, type RedactorCache, type RedactorRecipe } from './pool/redactor-cache';
export * from './stream/streaming-text-redactor';
export * from './summarize-findings';
export { corpusRecall, type FormRecall } from './corpus/corpus-recall';
