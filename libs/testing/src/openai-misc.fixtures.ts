/** Options of `openaiEmbeddings`. */
export interface OpenAIEmbeddingsOptions {
  /** Default `text-embedding-3-small`. */
  readonly model?: string;
  /** The inputs to embed; each gets one deterministic vector (default `['']`). */
  readonly inputs?: readonly string[];
  /** Vector length (default 8, small so benchmarks stay cheap). */
  readonly dimensions?: number;
  /** `base64` (little-endian float32, what the openai SDK asks for by default) or `float` (default). */
  readonly encodingFormat?: 'float' | 'base64';
  /** `usage.prompt_tokens` (default 1 per input). */
  readonly promptTokens?: number;
}

/** A deterministic vector in [-1, 1) derived from `text` (FNV-1a seed, xorshift stream). */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193);
  const out: number[] = [];
  for (let i = 0; i < dimensions; i += 1) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    // Round through float32 so `float` and `base64` answers decode to the same numbers.
    out.push(Math.fround((seed >>> 0) / 2 ** 31 - 1));
  }
  return out;
}

function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** An embeddings `list` body for `POST /v1/embeddings` (defaults above). */
export function openaiEmbeddings(options: OpenAIEmbeddingsOptions = {}): object {
  const inputs = options.inputs ?? [''];
  const dimensions = options.dimensions ?? 8;
  const tokens = options.promptTokens ?? inputs.length;
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = fakeEmbedding(input, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: options.encodingFormat === 'base64' ? toBase64(vector) : vector,
      };
    }),
    model: options.model ?? 'text-embedding-3-small',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** The model ids `GET /v1/models` lists by default. */
export const OPENAI_FAKE_MODELS: readonly string[] = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'text-embedding-3-small'];

/** An OpenAI model object. */
export function openaiModel(id: string): object {
  return { id, object: 'model', created: 1_715_367_049, owned_by: 'system' };
}

/** A `GET /v1/models` body (default `OPENAI_FAKE_MODELS`). */
export function openaiModelList(ids: readonly string[] = OPENAI_FAKE_MODELS): object {
  return { object: 'list', data: ids.map(openaiModel) };
}

/** Fields of an OpenAI error envelope. */
export interface OpenAIErrorOptions {
  readonly message: string;
  /** Default `invalid_request_error`. */
  readonly type?: string;
  /** Default null. */
  readonly param?: string | null;
  /** Default null. */
  readonly code?: string | null;
}

/** An OpenAI error body `{"error":{"message","type","param","code"}}`. */
export function openaiErrorBody(options: OpenAIErrorOptions): object {
  return {
    error: {
      message: options.message,
      type: options.type ?? 'invalid_request_error',
      param: options.param ?? null,
      code: options.code ?? null,
    },
  };
}
