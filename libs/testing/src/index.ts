export * from './anthropic.fixtures';
export * from './body-chunks';
export * from './default-routes';
export * from './fake-upstream.server';
export * from './fake-upstream.types';
export * from './gemini.fixtures';
export * from './json-body';
export * from './openai-chat.fixtures';
export * from './openai-misc.fixtures';
export * from './openai-responses.fixtures';
export * from './provider-errors';
export * from './provider-fixtures';
export * from './route-documents';
export * from './sse-format';
export * from './sse-reader';
export { DEFAULT_REPLY_CHUNKS, estimateTokens, splitIntoChunks } from './text-chunks';
// Test databases on every dialect (SQLite always, Postgres with NAVPLANE_TEST_POSTGRES_URL).
export * from '@navplane/storage/testing';
export * from './otlp-collector';
