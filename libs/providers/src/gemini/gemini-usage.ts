import { asNonEmptyString, asRecord, makeUsage, tokenCount, type Usage } from '../usage';

/**
 * Normalises a Gemini `usageMetadata` (ai.google.dev/api/generate-content#UsageMetadata):
 * - `promptTokenCount` already includes `cachedContentTokenCount` (the whole prompt), so it is `inputTokens` as is;
 *   `toolUsePromptTokenCount` (tool results fed back to the model, e.g. search grounding) is prompt too and added;
 * - `cachedContentTokenCount` is the cache-read part, charged at the context-caching price;
 * - `candidatesTokenCount + thoughtsTokenCount` is `outputTokens`: Google bills thinking tokens at the output price
 *   (ai.google.dev/gemini-api/docs/pricing, "output price (including thinking tokens)").
 * `totalTokenCount` (their sum) is not read. Undefined when the value holds no count at all.
 */
export function geminiUsage(value: unknown): Usage | undefined {
  const metadata = asRecord(value);
  if (!metadata) return undefined;
  const prompt = tokenCount(metadata['promptTokenCount']);
  const toolPrompt = tokenCount(metadata['toolUsePromptTokenCount']);
  const candidates = tokenCount(metadata['candidatesTokenCount']);
  const thoughts = tokenCount(metadata['thoughtsTokenCount']);
  const cached = tokenCount(metadata['cachedContentTokenCount']);
  if ([prompt, toolPrompt, candidates, thoughts, cached].every((count) => count === undefined)) return undefined;
  const inputTokens = (prompt ?? 0) + (toolPrompt ?? 0);
  return makeUsage({
    inputTokens,
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
    cacheReadTokens: Math.min(cached ?? 0, inputTokens),
  });
}

/**
 * The responses of a JSON body: a `GenerateContentResponse` (or embedding response) object, or the JSON array
 * `:streamGenerateContent` answers without `alt=sse` (one response per element; the last `usageMetadata` is the total).
 */
function responsesOf(json: unknown): Record<string, unknown>[] {
  if (Array.isArray(json)) {
    return json.flatMap((item: unknown) => {
      const record = asRecord(item);
      return record ? [record] : [];
    });
  }
  const record = asRecord(json);
  return record ? [record] : [];
}

/** Usage from a parsed Gemini JSON response (its `usageMetadata`, the last one of an array). */
export function geminiUsageFromJson(_pathSuffix: string, json: unknown): Usage | undefined {
  const responses = responsesOf(json);
  for (let i = responses.length - 1; i >= 0; i--) {
    const usage = geminiUsage(responses[i]?.['usageMetadata']);
    if (usage) return usage;
  }
  return undefined;
}

/** The `modelVersion` a Gemini JSON response names (the first one of an array). */
export function geminiModelFromJson(json: unknown): string | undefined {
  for (const response of responsesOf(json)) {
    const model = asNonEmptyString(response['modelVersion']);
    if (model) return model;
  }
  return undefined;
}
