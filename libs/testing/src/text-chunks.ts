/** The reply every builder uses when given neither `chunks` nor `content`. */
export const DEFAULT_REPLY_CHUNKS: readonly string[] = ['Hello', ' from', ' the', ' fake', ' upstream.'];

/** Splits text into word chunks that keep their leading whitespace, like model tokens (`'a b'` → `['a', ' b']`). */
export function splitIntoChunks(text: string): string[] {
  return text.match(/\s*\S+/g) ?? (text === '' ? [] : [text]);
}

/** The chunks a builder streams: explicit `chunks`, else `content` split into words, else the default reply. */
export function resolveChunks(chunks: readonly string[] | undefined, content: string | undefined): readonly string[] {
  if (chunks) return chunks;
  if (content !== undefined) return splitIntoChunks(content);
  return DEFAULT_REPLY_CHUNKS;
}

/** A rough, deterministic token estimate (4 characters a token, at least 1). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
