/**
 * The chunks of a fetch `Response` body as they arrive; throws if the body errors (a reset mid-stream). Node types a
 * fetch body as a stream of `any`; the Fetch standard makes every chunk a Uint8Array, which is checked here, once.
 */
export async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array, void, undefined> {
  if (!response.body) throw new Error('response has no body');
  const reader = response.body.getReader();
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return;
    const bytes: unknown = chunk.value;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('response body chunk is not bytes');
    yield bytes;
  }
}
