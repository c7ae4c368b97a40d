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
