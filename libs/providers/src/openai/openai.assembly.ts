import { isDoneMarker } from '../sse/json-bytes';
import type { SseEvent } from '../sse/sse-parser';
import { asRecord } from '../usage';
import type { AssemblyContext } from '../assemble/assembly-context';
import { ChunkAssembly, type ChunkStreamKind } from './openai-chat.assembly';
import { ResponsesAssembly, TERMINAL_RESPONSE_EVENTS } from './openai-responses.assembly';
import { assembleError, parseEventObject, type StreamAssembly } from '../assemble/stream-assembly';

/**
 * Assembles any OpenAI text stream. The first recognised event decides the format and later events
 * of another format count as malformed: unnamed `chat.completion.chunk` / `text_completion` chunks
 * (ended by `data: [DONE]`), or named `response.*` events of the Responses API.
 */
export class OpenAIAssembly implements StreamAssembly {
  private doneMarker = false;
  private chunks?: ChunkAssembly;
  private responses?: ResponsesAssembly;
  /** An error event seen before the format was known. */
  private error?: Record<string, unknown>;

  constructor(private readonly ctx: AssemblyContext) {}

  get complete(): boolean {
    return this.doneMarker || (this.responses?.complete ?? false);
  }

  onEvent(event: SseEvent): void {
    if (isDoneMarker(event.data)) {
      this.doneMarker = true;
      return;
    }
    const payload = parseEventObject(this.ctx, event.data);
    if (!payload) return;
    const named = event.type !== '' ? event.type : typeof payload['type'] === 'string' ? payload['type'] : '';
    const ok = named !== '' ? this.onNamed(named, payload) : this.onChunk(payload);
    if (!ok) this.ctx.malformed++;
  }

  onOversizedEvent(type: string): void {
    if (TERMINAL_RESPONSE_EVENTS.has(type) && !this.chunks) {
      this.responses ??= new ResponsesAssembly(this.ctx);
      this.responses.onOversizedTerminal();
    }
  }

  private onNamed(type: string, payload: Record<string, unknown>): boolean {
    if (type === 'error' && !this.responses) {
      // An error before (or instead of) any Responses event, or inside a chunk stream.
      if (this.chunks) this.chunks.applyError(payload);
      else this.error = assembleError(this.ctx, payload);
      return true;
    }
    if (type !== 'error' && !type.startsWith('response.')) return false; // another provider's events
    if (this.chunks) return false;
    this.responses ??= new ResponsesAssembly(this.ctx);
    return this.responses.apply(type, payload);
  }

  private onChunk(payload: Record<string, unknown>): boolean {
    if (this.responses) return false;
    const kind = chunkKind(payload);
    if (!kind) {
      // A bare `{"error": …}` chunk is how OpenAI reports a failure mid-stream.
      if (!asRecord(payload['error'])) return false;
      if (this.chunks) this.chunks.applyError(payload);
      else this.error = assembleError(this.ctx, payload);
      return true;
    }
    if (kind === 'usage-only') {
      if (!this.chunks) this.chunks = new ChunkAssembly(this.ctx, 'chat');
      return this.chunks.apply(payload);
    }
    if (this.chunks && this.chunks.kind !== kind) return false;
    this.chunks ??= new ChunkAssembly(this.ctx, kind);
    return this.chunks.apply(payload);
  }

  finish(): Record<string, unknown> {
    const body = this.chunks?.body() ?? this.responses?.body();
    if (!body) return this.error ? { error: this.error } : {};
    return this.error && body['error'] === undefined ? { ...body, error: this.error } : body;
  }
}

/** Which chunk stream a nameless event belongs to, or undefined when it is not a completion chunk. */
function chunkKind(payload: Record<string, unknown>): ChunkStreamKind | 'usage-only' | undefined {
  const object = payload['object'];
  if (object === 'chat.completion.chunk') return 'chat';
  if (object === 'text_completion') return 'text';
  const choices = payload['choices'];
  if (!Array.isArray(choices)) return undefined;
  if (choices.length === 0) return asRecord(payload['usage']) ? 'usage-only' : undefined;
  const first = asRecord(choices[0]);
  if (first && 'delta' in first) return 'chat';
  if (first && 'text' in first) return 'text';
  return undefined;
}
