import type { ModelSelectionRules } from '../model-selection/model-selection';
import type { PathRule } from '../path-rules';

const GET = ['GET'];
const POST = ['POST'];
const GET_DELETE = ['GET', 'DELETE'];
const GET_POST = ['GET', 'POST'];
const ANY = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/**
 * Mistral's public API under /v1 (docs.mistral.ai/api): chat, fill-in-the-middle and agent completions, embeddings,
 * moderation and classification, OCR, transcription, models, files, fine-tuning, batch jobs, and the agents and
 * conversations APIs. Anything else is refused (404 `route_not_found`).
 */
export const MISTRAL_PATH_RULES: readonly PathRule[] = [
  { methods: POST, path: '/v1/chat/completions' },
  { methods: POST, path: '/v1/fim/completions' },
  { methods: POST, path: '/v1/agents/completions' },
  { methods: POST, path: '/v1/embeddings' },
  { methods: POST, path: '/v1/moderations' },
  { methods: POST, path: '/v1/chat/moderations' },
  { methods: POST, path: '/v1/classifications' },
  { methods: POST, path: '/v1/chat/classifications' },
  { methods: POST, path: '/v1/ocr' },
  { methods: POST, path: '/v1/audio/transcriptions' },
  { methods: GET, path: '/v1/models' },
  { methods: GET_DELETE, path: '/v1/models/:id' },
  { methods: GET_POST, path: '/v1/files' },
  { methods: GET_DELETE, path: '/v1/files/**' },
  { methods: GET_POST, path: '/v1/fine_tuning/jobs' },
  { methods: ANY, path: '/v1/fine_tuning/**' },
  { methods: GET_POST, path: '/v1/batch/jobs' },
  { methods: GET_POST, path: '/v1/batch/jobs/**' },
  { methods: GET_POST, path: '/v1/agents' },
  { methods: ANY, path: '/v1/agents/**' },
  { methods: GET_POST, path: '/v1/conversations' },
  { methods: ANY, path: '/v1/conversations/**' },
];

/** Mistral's chat endpoint: its main route. */
export const MISTRAL_CHAT_COMPLETIONS = '/v1/chat/completions';

/**
 * POST routes whose successful responses report billable token usage in an OpenAI-shaped `usage` (`prompt_tokens`,
 * `completion_tokens`), in the JSON body or, streamed, in the last chunk (Mistral sends it unasked).
 */
export const MISTRAL_USAGE_PATHS: ReadonlySet<string> = new Set([
  '/v1/chat/completions',
  '/v1/fim/completions',
  '/v1/agents/completions',
  '/v1/embeddings',
]);

/**
 * Where Mistral's POST routes name the model they run (model allowlists, docs/gateway.md "Model allowlists"). Agent
 * completions (the agent's model), batch jobs (a model or an agent, and requests in uploaded files), appends to and
 * restarts of a conversation (its stored model or agent) and anything else that POSTs are `unreadable`.
 */
export const MISTRAL_MODEL_SELECTION_RULES: ModelSelectionRules = Object.freeze({
  none: [
    '/v1/files',
    '/v1/files/**',
    '/v1/fine_tuning/jobs/:id/start',
    '/v1/fine_tuning/jobs/:id/cancel',
    '/v1/fine_tuning/models/**',
    '/v1/batch/jobs/:id/cancel',
  ],
  body: [
    '/v1/chat/completions',
    '/v1/fim/completions',
    '/v1/embeddings',
    '/v1/moderations',
    '/v1/chat/moderations',
    '/v1/classifications',
    '/v1/chat/classifications',
    '/v1/ocr',
    '/v1/audio/transcriptions',
    '/v1/fine_tuning/jobs',
    '/v1/agents',
    '/v1/conversations',
  ],
});
