import type { ModelSelectionRules } from '../model-selection/model-selection';
import type { PathRule } from '../path-rules';
import type { RequestModelSource } from '../provider-adapter';

/**
 * Anthropic's public API under /v1 (docs.anthropic.com/en/api): Messages, token counting, Message
 * Batches, Models and Files. The Admin API (`/v1/organizations/...`) and the legacy Text Completions
 * API are not proxied.
 */
export const ANTHROPIC_PATH_RULES: readonly PathRule[] = [
  { methods: ['POST'], path: '/v1/messages' },
  { methods: ['POST'], path: '/v1/messages/count_tokens' },
  { methods: ['GET', 'POST'], path: '/v1/messages/batches' },
  { methods: ['GET', 'DELETE'], path: '/v1/messages/batches/:id' },
  { methods: ['GET'], path: '/v1/messages/batches/:id/results' },
  { methods: ['POST'], path: '/v1/messages/batches/:id/cancel' },
  { methods: ['GET'], path: '/v1/models' },
  { methods: ['GET'], path: '/v1/models/:id' },
  { methods: ['GET', 'POST'], path: '/v1/files' },
  { methods: ['GET', 'DELETE'], path: '/v1/files/:id' },
  { methods: ['GET'], path: '/v1/files/:id/content' },
];

/** The one route whose successful responses report billable usage (count_tokens is free). */
export const ANTHROPIC_MESSAGES = '/v1/messages';

/** POST routes whose response names no model, and where their request names it (token counting). */
export const ANTHROPIC_REQUEST_MODEL_PATHS: ReadonlyMap<string, RequestModelSource> = new Map<string, RequestModelSource>([
  ['/v1/messages/count_tokens', Object.freeze({ from: 'json' })],
]);

/**
 * Where Anthropic's POST routes name the model they run (model allowlists, docs/gateway.md "Model allowlists"):
 * Messages; token counting when it names one. Creating a Message Batch is `unreadable` (a model per request, nested).
 */
export const ANTHROPIC_MODEL_SELECTION_RULES: ModelSelectionRules = Object.freeze({
  none: ['/v1/messages/batches/:id/cancel', '/v1/files'],
  body: ['/v1/messages'],
  bodyIfNamed: ['/v1/messages/count_tokens'],
});
