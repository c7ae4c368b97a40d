import type { IncomingHttpHeaders } from 'node:http';
import { anthropicMessage, anthropicMessageStream, anthropicModel, anthropicModelList } from './anthropic.fixtures';
import type { FakeProvider, RecordedRequest, ScriptedResponse } from './fake-upstream.types';
import { openaiChatCompletion, openaiChatStream } from './openai-chat.fixtures';
import { openaiEmbeddings, openaiErrorBody, openaiModel, openaiModelList } from './openai-misc.fixtures';
import { openaiResponse, openaiResponseStream } from './openai-responses.fixtures';
import {
  geminiBatchEmbeddings,
  geminiEmbedContent,
  geminiGenerateContent,
  geminiGenerateStream,
  geminiModel,
  geminiModelList,
} from './gemini.fixtures';
import { providerErrorBody } from './provider-errors';
import {
  digestAnthropicRequest,
  digestChatRequest,
  digestGeminiRequest,
  digestResponsesRequest,
  embeddingInputs,
  geminiEmbeddingInputs,
  isObject,
} from './request-digest';

/** A native Gemini API path: `/{v1beta|v1}/models/{model}:{method}`, or anything under `/v1beta/`. */
const GEMINI_METHOD_PATH = /^\/(?:v1beta|v1)\/models\/[^/]+:[A-Za-z]+$/;

/**
 * Gemini for its model-method paths, `/v1beta/*` and any request with `x-goog-api-key`; Anthropic when the path is a
 * Messages/Complete path or the client sent `anthropic-version`; else OpenAI.
 */
export function detectProvider(path: string, headers: IncomingHttpHeaders): FakeProvider {
  if (GEMINI_METHOD_PATH.test(path) || path.startsWith('/v1beta/') || headers['x-goog-api-key'] !== undefined) return 'gemini';
  if (path.startsWith('/v1/messages') || path === '/v1/complete') return 'anthropic';
  return headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

/** A provider-shaped error; `openaiCode` overrides the OpenAI `code` the status would imply. */
function fail(request: RecordedRequest, status: number, message: string, openaiCode?: string | null): ScriptedResponse {
  const body =
    request.provider === 'openai' && openaiCode !== undefined
      ? openaiErrorBody({ message, code: openaiCode })
      : providerErrorBody(request.provider, status, message);
  return { kind: 'error', status, body };
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  return value?.startsWith('Bearer ') ? value.slice(7) : undefined;
}

/** The 401 a real provider sends for a missing or unknown key; never echoes the key. */
function checkKey(request: RecordedRequest, acceptKeys: ReadonlySet<string>): ScriptedResponse | undefined {
  if (request.provider === 'gemini') {
    const key = request.headers['x-goog-api-key'];
    if (typeof key === 'string' && acceptKeys.has(key)) return undefined;
    return fail(
      request,
      key === undefined ? 403 : 400,
      key === undefined ? "Method doesn't allow unregistered callers." : 'API key not valid.',
    );
  }
  const apiKey = request.headers['x-api-key'];
  const key = request.provider === 'anthropic' && typeof apiKey === 'string' ? apiKey : bearer(request.headers);
  if (key === undefined) {
    return request.provider === 'anthropic'
      ? fail(request, 401, 'x-api-key header is required')
      : fail(request, 401, "You didn't provide an API key.", null);
  }
  if (acceptKeys.has(key)) return undefined;
  return fail(request, 401, request.provider === 'anthropic' ? 'invalid x-api-key' : 'Incorrect API key provided.');
}

type Json = Record<string, unknown>;
type JsonRoute = (body: Json, request: RecordedRequest) => ScriptedResponse;

function chatCompletions(body: Json): ScriptedResponse {
  const digest = digestChatRequest(body);
  const options = {
    model: String(body['model']),
    chunks: digest.chunks,
    finishReason: digest.truncated ? ('length' as const) : ('stop' as const),
    usage: { promptTokens: digest.promptTokens },
  };
  if (body['stream'] !== true) return { kind: 'json', body: openaiChatCompletion(options) };
  const streamOptions = body['stream_options'];
  const includeUsage = isObject(streamOptions) && streamOptions['include_usage'] === true;
  return {
    kind: 'sse',
    events: openaiChatStream({ ...options, includeUsage }),
  };
}

function responses(body: Json): ScriptedResponse {
  const digest = digestResponsesRequest(body);
  const options = {
    model: String(body['model']),
    chunks: digest.chunks,
    instructions: typeof body['instructions'] === 'string' ? body['instructions'] : null,
    usage: { inputTokens: digest.promptTokens },
  };
  return body['stream'] === true ? { kind: 'sse', events: openaiResponseStream(options) } : { kind: 'json', body: openaiResponse(options) };
}

function embeddings(body: Json): ScriptedResponse {
  const inputs = embeddingInputs(body);
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : undefined;
  const encodingFormat = body['encoding_format'] === 'base64' ? 'base64' : 'float';
  const promptTokens = inputs.reduce((sum, input) => sum + Math.max(1, Math.ceil(input.length / 4)), 0);
  return {
    kind: 'json',
    body: openaiEmbeddings({
      model: String(body['model']),
      inputs,
      dimensions,
      encodingFormat,
      promptTokens,
    }),
  };
}

function messages(body: Json): ScriptedResponse {
  const digest = digestAnthropicRequest(body);
  const options = {
    model: String(body['model']),
    chunks: digest.chunks,
    stopReason: digest.truncated ? ('max_tokens' as const) : ('end_turn' as const),
    usage: { inputTokens: digest.promptTokens },
  };
  return body['stream'] === true
    ? { kind: 'sse', events: anthropicMessageStream(options) }
    : { kind: 'json', body: anthropicMessage(options) };
}

function countTokens(body: Json): ScriptedResponse {
  return {
    kind: 'json',
    body: { input_tokens: digestAnthropicRequest(body).promptTokens },
  };
}

const JSON_ROUTES: ReadonlyMap<string, JsonRoute> = new Map<string, JsonRoute>([
  ['/v1/chat/completions', chatCompletions],
  ['/v1/responses', responses],
  ['/v1/embeddings', embeddings],
  ['/v1/messages', messages],
  ['/v1/messages/count_tokens', countTokens],
]);

function postJson(route: JsonRoute, request: RecordedRequest): ScriptedResponse {
  const body = request.json;
  if (!isObject(body)) {
    return fail(request, 400, 'We could not parse the JSON body of your request.');
  }
  if (typeof body['model'] !== 'string' || body['model'] === '') {
    return fail(request, 400, request.provider === 'anthropic' ? 'model: Field required' : 'you must provide a model parameter');
  }
  return route(body, request);
}

function models(request: RecordedRequest): ScriptedResponse | undefined {
  if (request.path === '/v1/models') {
    return {
      kind: 'json',
      body: request.provider === 'anthropic' ? anthropicModelList() : openaiModelList(),
    };
  }
  if (!request.path.startsWith('/v1/models/')) return undefined;
  const id = decodeURIComponent(request.path.slice('/v1/models/'.length));
  return {
    kind: 'json',
    body: request.provider === 'anthropic' ? anthropicModel(id) : openaiModel(id),
  };
}

/** The Gemini model methods the fake answers, by the method after the model's colon. */
const GEMINI_METHODS: ReadonlyMap<string, (body: Json, model: string, query: string) => ScriptedResponse> = new Map([
  ['generateContent', (body: Json, model: string): ScriptedResponse => ({ kind: 'json', body: geminiGenerate(body, model) })],
  [
    'streamGenerateContent',
    (body: Json, model: string, query: string): ScriptedResponse =>
      // Without `alt=sse` the API answers one JSON array of responses.
      new URLSearchParams(query).get('alt') === 'sse'
        ? { kind: 'sse', events: geminiGenerateStream(geminiOptions(body, model)) }
        : { kind: 'json', body: [geminiGenerate(body, model)] },
  ],
  ['countTokens', (body: Json): ScriptedResponse => ({ kind: 'json', body: { totalTokens: digestGeminiRequest(body).promptTokens } })],
  [
    'batchEmbedContents',
    (body: Json): ScriptedResponse => {
      const inputs = geminiEmbeddingInputs(body);
      const tokens = inputs.reduce((sum, input) => sum + Math.max(1, Math.ceil(input.length / 4)), 0);
      return { kind: 'json', body: geminiBatchEmbeddings(inputs.length, 8, tokens) };
    },
  ],
  [
    'embedContent',
    (body: Json): ScriptedResponse => {
      const [input = ''] = geminiEmbeddingInputs(body);
      return { kind: 'json', body: geminiEmbedContent(8, Math.max(1, Math.ceil(input.length / 4))) };
    },
  ],
]);

function geminiOptions(
  body: Json,
  model: string,
): { model: string; chunks: string[]; finishReason: 'STOP' | 'MAX_TOKENS'; usage: { promptTokens: number } } {
  const digest = digestGeminiRequest(body);
  return {
    model,
    chunks: digest.chunks,
    finishReason: digest.truncated ? 'MAX_TOKENS' : 'STOP',
    usage: { promptTokens: digest.promptTokens },
  };
}

function geminiGenerate(body: Json, model: string): Record<string, unknown> {
  return geminiGenerateContent(geminiOptions(body, model));
}

/** The native Gemini API: model methods (POST), and the model list and models (GET), under `/v1beta` or `/v1`. */
function geminiResponse(request: RecordedRequest): ScriptedResponse | undefined {
  const match = /^\/(?:v1beta|v1)\/models(?:\/([^/:]+)(?::([A-Za-z]+))?)?$/.exec(request.path);
  if (!match) return undefined;
  const [, model, method] = match;
  if (request.method === 'GET' && method === undefined) {
    return { kind: 'json', body: model === undefined ? geminiModelList() : geminiModel(decodeURIComponent(model)) };
  }
  const answer = request.method === 'POST' && model !== undefined && method !== undefined ? GEMINI_METHODS.get(method) : undefined;
  if (!answer || model === undefined) return undefined;
  const body = request.json;
  if (!isObject(body)) return fail(request, 400, 'Invalid JSON payload received.');
  return answer(body, decodeURIComponent(model), request.query);
}

/**
 * The realistic answer for a request nothing was scripted for: chat completions, responses,
 * embeddings, models and messages (JSON or SSE per `stream`), 400/401 like the providers, and a
 * provider-shaped 404 for anything else.
 */
export function builtInResponse(request: RecordedRequest, acceptKeys?: ReadonlySet<string>): ScriptedResponse {
  if (request.provider === 'gemini') {
    const answer = geminiResponse(request);
    if (answer === undefined) return fail(request, 404, `Invalid URL (${request.method} ${request.path})`);
    return (acceptKeys ? checkKey(request, acceptKeys) : undefined) ?? answer;
  }
  const route = request.method === 'POST' ? JSON_ROUTES.get(request.path) : undefined;
  const modelsAnswer = request.method === 'GET' ? models(request) : undefined;
  if (route === undefined && modelsAnswer === undefined) {
    return request.provider === 'anthropic'
      ? fail(request, 404, 'Not Found')
      : fail(request, 404, `Invalid URL (${request.method} ${request.path})`);
  }
  const denied = acceptKeys ? checkKey(request, acceptKeys) : undefined;
  if (denied) return denied;
  return route ? postJson(route, request) : (modelsAnswer as ScriptedResponse);
}
