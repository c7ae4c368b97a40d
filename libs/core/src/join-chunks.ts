/**
 * The bytes of a body received in `chunks`: its only chunk as is (no copy, the common case of a small body), else the
 * chunks copied into one Buffer (`totalLength`, when the caller counted it, saves summing the lengths again).
 */
export function joinChunks(chunks: readonly Buffer[], totalLength?: number): Buffer {
  const first = chunks[0];
  return chunks.length === 1 && first !== undefined ? first : Buffer.concat(chunks, totalLength);
}
