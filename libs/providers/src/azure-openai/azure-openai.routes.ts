import { OPENAI_PATH_RULES } from '../openai/openai.routes';
import type { PathRule } from '../path-rules';

const POST = ['POST'];

/**
 * The OpenAI operations Azure serves per deployment (`/openai/deployments/{deployment}/…?api-version=`): the paths
 * the `AzureOpenAI` client of the `openai` SDK sends there (its deployment endpoints), as OpenAI names them.
 */
export const AZURE_DEPLOYMENT_OPERATIONS: readonly string[] = Object.freeze([
  '/chat/completions',
  '/completions',
  '/embeddings',
  '/audio/speech',
  '/audio/transcriptions',
  '/audio/translations',
  '/images/generations',
  '/images/edits',
  '/batches',
]);

/**
 * Azure OpenAI's data plane under `/openai` (learn.microsoft.com/azure/ai-foundry/openai/reference): the v1 API
 * (`/openai/v1/…`, OpenAI's paths and shapes, no `api-version` needed), the same operations without `/v1` (the
 * `api-version` API: `/openai/responses`, `/openai/files`, `/openai/models`…), and the per-deployment operations.
 * Anything else (the control plane, `/openai/deployments` listings, paths of other Azure services) is refused.
 */
export const AZURE_OPENAI_PATH_RULES: readonly PathRule[] = [
  ...OPENAI_PATH_RULES.map((rule) => ({ methods: rule.methods, path: `/openai${rule.path}` })),
  ...OPENAI_PATH_RULES.map((rule) => ({ methods: rule.methods, path: `/openai${rule.path.slice('/v1'.length)}` })),
  ...AZURE_DEPLOYMENT_OPERATIONS.map((operation) => ({ methods: POST, path: `/openai/deployments/:id${operation}` })),
];

/** Azure's chat endpoint in the v1 API: its main route. */
export const AZURE_OPENAI_CHAT_COMPLETIONS = '/openai/v1/chat/completions';

const V1 = '/openai/v1/';
const DEPLOYMENTS = '/openai/deployments/';

/** An Azure path suffix as OpenAI's path, and the deployment it names (`/openai/deployments/d/embeddings` → `/v1/embeddings`, `d`). */
export interface AzurePath {
  /** The same operation as OpenAI's API names it (`/v1/chat/completions`). */
  readonly openaiPath: string;
  /** The deployment of a `/openai/deployments/{deployment}/…` path, percent-decoded. */
  readonly deployment?: string;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Maps an Azure path suffix onto OpenAI's (every form serves OpenAI's request and response shapes), so the OpenAI
 * format's readers apply unchanged: `/openai/v1/x` and `/openai/x` → `/v1/x`, `/openai/deployments/{d}/x` → `/v1/x`
 * with the deployment `d`. Anything else maps to itself (no OpenAI path matches it).
 */
export function azurePath(pathSuffix: string): AzurePath {
  if (pathSuffix.startsWith(DEPLOYMENTS)) {
    const slash = pathSuffix.indexOf('/', DEPLOYMENTS.length);
    if (slash <= DEPLOYMENTS.length) return { openaiPath: pathSuffix };
    return { openaiPath: `/v1${pathSuffix.slice(slash)}`, deployment: decoded(pathSuffix.slice(DEPLOYMENTS.length, slash)) };
  }
  if (pathSuffix.startsWith(V1)) return { openaiPath: pathSuffix.slice('/openai'.length) };
  if (pathSuffix.startsWith('/openai/')) return { openaiPath: `/v1${pathSuffix.slice('/openai'.length)}` };
  return { openaiPath: pathSuffix };
}
