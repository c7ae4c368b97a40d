import type { ModelSelectionRules } from '../model-selection/model-selection';
import type { PathRule } from '../path-rules';
import type { RequestModelSource } from '../provider-adapter';

const GET = ['GET'];
const POST = ['POST'];
const GET_DELETE = ['GET', 'DELETE'];
const GET_POST = ['GET', 'POST'];
const GET_POST_DELETE = ['GET', 'POST', 'DELETE'];

/** Resource families whose sub-paths (ids, sub-resources, actions) are all proxied. */
const FAMILIES = [
  'files',
  'uploads',
  'batches',
  'fine_tuning',
  'vector_stores',
  'assistants',
  'threads',
  'conversations',
  'containers',
  'evals',
];

/**
 * OpenAI's public API under /v1 (platform.openai.com/docs/api-reference). Not listed, so refused:
 * the organization/admin API (`/v1/organization/...`), plain `GET /v1/realtime` (the Realtime WebSocket and
 * Responses over WebSocket are upgrades: `OPENAI_WEBSOCKET`, openai-websocket.ts)
 * and anything unknown.
 */
export const OPENAI_PATH_RULES: readonly PathRule[] = [
  { methods: GET_POST, path: '/v1/chat/completions' },
  { methods: GET_POST_DELETE, path: '/v1/chat/completions/:id' },
  { methods: GET, path: '/v1/chat/completions/:id/messages' },
  { methods: POST, path: '/v1/completions' },
  { methods: POST, path: '/v1/responses' },
  { methods: POST, path: '/v1/responses/input_tokens' },
  { methods: POST, path: '/v1/responses/compact' },
  { methods: GET_DELETE, path: '/v1/responses/:id' },
  { methods: POST, path: '/v1/responses/:id/cancel' },
  { methods: GET, path: '/v1/responses/:id/input_items' },
  { methods: POST, path: '/v1/embeddings' },
  { methods: GET, path: '/v1/models' },
  { methods: GET_DELETE, path: '/v1/models/:id' },
  { methods: POST, path: '/v1/moderations' },
  { methods: POST, path: '/v1/images/generations' },
  { methods: POST, path: '/v1/images/edits' },
  { methods: POST, path: '/v1/images/variations' },
  { methods: POST, path: '/v1/audio/speech' },
  { methods: POST, path: '/v1/audio/transcriptions' },
  { methods: POST, path: '/v1/audio/translations' },
  { methods: POST, path: '/v1/realtime/**' },
  ...FAMILIES.flatMap((family): PathRule[] => [
    { methods: GET_POST, path: `/v1/${family}` },
    { methods: GET_POST_DELETE, path: `/v1/${family}/**` },
  ]),
];

/** The only route whose body the gateway reads: chat streams get exact usage (see prepareRequest). */
export const OPENAI_CHAT_COMPLETIONS = '/v1/chat/completions';

/** POST routes whose successful responses report billable token usage. */
export const OPENAI_USAGE_PATHS: ReadonlySet<string> = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/responses',
  '/v1/responses/compact',
  '/v1/embeddings',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/audio/transcriptions',
  '/v1/audio/translations',
]);

/**
 * The GenAI semantic conventions' `gen_ai.operation.name` of the POST routes that are GenAI operations
 * (docs/observability.md); the Responses API is a `chat` operation, as the conventions' OpenAI page says.
 */
export const OPENAI_GEN_AI_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['/v1/chat/completions', 'chat'],
  ['/v1/responses', 'chat'],
  ['/v1/completions', 'text_completion'],
  ['/v1/embeddings', 'embeddings'],
]);

const IN_JSON: RequestModelSource = Object.freeze({ from: 'json' });
const IN_MULTIPART: RequestModelSource = Object.freeze({ from: 'multipart' });

/**
 * POST routes whose successful response names no model (or none the JSON tap reads), and where their request names
 * it: the trace records the requested model (see `ProviderAdapter.requestModelSource`).
 */
export const OPENAI_REQUEST_MODEL_PATHS: ReadonlyMap<string, RequestModelSource> = new Map<string, RequestModelSource>([
  ['/v1/audio/transcriptions', IN_MULTIPART],
  ['/v1/audio/translations', IN_MULTIPART],
  ['/v1/audio/speech', IN_JSON],
  ['/v1/moderations', IN_JSON],
  ['/v1/images/generations', IN_JSON],
  ['/v1/images/edits', IN_MULTIPART],
  ['/v1/images/variations', IN_MULTIPART],
]);

/**
 * Where OpenAI's POST routes name the model they run (model allowlists, docs/gateway.md "Model allowlists"). Anything
 * else that POSTs is `unreadable`: batches (their requests sit in an uploaded file), eval and grader runs (models
 * nested in the body), tool outputs submitted to a run (it goes on with its stored model), Realtime client secrets and
 * calls (the model nested in `session`).
 */
export const OPENAI_MODEL_SELECTION_RULES: ModelSelectionRules = Object.freeze({
  none: [
    '/v1/chat/completions/:id',
    '/v1/responses/:id/cancel',
    '/v1/files',
    '/v1/uploads',
    '/v1/uploads/**',
    '/v1/batches/:id/cancel',
    '/v1/vector_stores',
    '/v1/vector_stores/**',
    '/v1/conversations',
    '/v1/conversations/**',
    '/v1/containers',
    '/v1/containers/**',
    '/v1/evals',
    '/v1/evals/:id',
    '/v1/evals/:id/runs/:id',
    '/v1/fine_tuning/jobs/:id/cancel',
    '/v1/fine_tuning/jobs/:id/pause',
    '/v1/fine_tuning/jobs/:id/resume',
    '/v1/fine_tuning/checkpoints/**',
    '/v1/fine_tuning/alpha/graders/validate',
    '/v1/threads',
    '/v1/threads/:id',
    '/v1/threads/:id/messages',
    '/v1/threads/:id/messages/:id',
    '/v1/threads/:id/runs/:id',
    '/v1/threads/:id/runs/:id/cancel',
  ],
  body: [
    '/v1/chat/completions',
    '/v1/completions',
    '/v1/responses',
    '/v1/responses/compact',
    '/v1/embeddings',
    '/v1/moderations',
    '/v1/images/generations',
    '/v1/images/edits',
    '/v1/images/variations',
    '/v1/audio/speech',
    '/v1/audio/transcriptions',
    '/v1/audio/translations',
    '/v1/realtime/sessions',
    '/v1/fine_tuning/jobs',
    '/v1/assistants',
    '/v1/threads/runs',
    '/v1/threads/:id/runs',
  ],
  // Counting runs nothing; modifying an assistant runs nothing either, but a model it names is checked.
  bodyIfNamed: ['/v1/responses/input_tokens', '/v1/assistants/:id'],
});
