import { estimateTokens, splitIntoChunks } from './text-chunks';

/** What the built-in routes derive from a request body: a deterministic reply and consistent usage. */
export interface RequestDigest {
  /** Every prompt text joined (system, instructions and messages). */
  readonly promptText: string;
  /** `estimateTokens(promptText)`. */
  readonly promptTokens: number;
  /** Reply chunks, capped at the request's max tokens. */
  readonly chunks: string[];
  /** True when the cap cut the reply short (finish_reason `length` / stop_reason `max_tokens`). */
  readonly truncated: boolean;
}

type Json = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a content field: a string, or an array of parts carrying `text`. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .filter((text) => text !== '')
    .join('\n');
}

/** Texts of a message list, and the last user message's text. */
function messageTexts(messages: unknown): { all: string[]; lastUser: string } {
  const all: string[] = [];
  let lastUser = '';
  if (!Array.isArray(messages)) return { all, lastUser };
  for (const message of messages) {
    if (!isObject(message)) continue;
    const text = contentText(message['content']);
    if (text !== '') all.push(text);
    if (message['role'] === 'user') lastUser = text;
  }
  return { all, lastUser };
}

function replyChunks(lastUser: string): string[] {
  const topic = lastUser.replace(/\s+/g, ' ').trim().slice(0, 120);
  return splitIntoChunks(topic === '' ? 'This is a fake reply.' : `This is a fake reply to: ${topic}`);
}

function digest(promptParts: string[], lastUser: string, maxTokens: unknown): RequestDigest {
  const promptText = promptParts.join('\n');
  const full = replyChunks(lastUser);
  const cap = typeof maxTokens === 'number' && maxTokens >= 0 ? Math.floor(maxTokens) : Infinity;
  return {
    promptText,
    promptTokens: estimateTokens(promptText),
    chunks: full.slice(0, cap),
    truncated: full.length > cap,
  };
}

/** Digest of a Chat Completions body (`messages`, `max_completion_tokens` / `max_tokens`). */
export function digestChatRequest(body: Json): RequestDigest {
  const { all, lastUser } = messageTexts(body['messages']);
  return digest(all, lastUser, body['max_completion_tokens'] ?? body['max_tokens']);
}

/** Digest of a Responses body (`instructions`, `input` string or items, `max_output_tokens`). */
export function digestResponsesRequest(body: Json): RequestDigest {
  const input = body['input'];
  const parts = typeof body['instructions'] === 'string' ? [body['instructions']] : [];
  if (typeof input === 'string') return digest([...parts, input], input, body['max_output_tokens']);
  const { all, lastUser } = messageTexts(input);
  return digest([...parts, ...all], lastUser, body['max_output_tokens']);
}

/** Digest of an Anthropic Messages body (`system` string or blocks, `messages`, `max_tokens`). */
export function digestAnthropicRequest(body: Json): RequestDigest {
  const system = contentText(body['system']);
  const { all, lastUser } = messageTexts(body['messages']);
  return digest(system === '' ? all : [system, ...all], lastUser, body['max_tokens']);
}

/** The inputs of an embeddings body as strings (token arrays are joined so each still gets a stable vector). */
export function embeddingInputs(body: Json): string[] {
  const input = body['input'];
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [];
  if (input.every((item) => typeof item === 'number')) return [input.join(',')];
  return input.map((item) => (typeof item === 'string' ? item : Array.isArray(item) ? item.join(',') : ''));
}

/** The text of a Gemini `Content` (`{role, parts: [{text}]}`). */
function geminiContentText(content: unknown): string {
  return isObject(content) ? contentText(content['parts']) : '';
}

/**
 * Digest of a Gemini `generateContent` / `countTokens` body (`systemInstruction`, `contents` with `role` `user` or
 * `model`, `generationConfig.maxOutputTokens`). `contents` may also be one Content or a string (as REST users send).
 */
export function digestGeminiRequest(body: Json): RequestDigest {
  const raw = body['contents'];
  const contents = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const all: string[] = [];
  let lastUser = '';
  for (const content of contents) {
    const text = typeof content === 'string' ? content : geminiContentText(content);
    if (text === '') continue;
    all.push(text);
    if (typeof content === 'string' || !isObject(content) || content['role'] !== 'model') lastUser = text;
  }
  const system = geminiContentText(body['systemInstruction']);
  const config = body['generationConfig'];
  return digest(system === '' ? all : [system, ...all], lastUser, isObject(config) ? config['maxOutputTokens'] : undefined);
}

/** The texts of a Gemini `batchEmbedContents` body (`requests: [{model, content}]`), or of one `embedContent` body. */
export function geminiEmbeddingInputs(body: Json): string[] {
  const requests = body['requests'];
  if (Array.isArray(requests)) return requests.map((request) => (isObject(request) ? geminiContentText(request['content']) : ''));
  return [geminiContentText(body['content'])];
}
