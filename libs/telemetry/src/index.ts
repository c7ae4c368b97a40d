export * from './logger';
export * from './metrics-registry';
export { isSecretFieldName, scrubSecrets } from './scrub-secrets';
export { maskSecretValue, scrubString } from './scrub-string';
export * from './metric-samples';
export * from './cache-metrics';
export * from './otel';
