import { asIndex, IndexedSlots, type AssemblyContext, type TextField } from '../assemble/assembly-context';
import { CONTENT as C, objectShape, VERBATIM as V } from '../assemble/json-shape';
import { sanitizeJson } from '../assemble/sanitize-json';
import { assembleError, compact, parseEventObject, type StreamAssembly } from '../assemble/stream-assembly';
import type { SseEvent } from '../sse/sse-parser';
import { asRecord, tokenCount } from '../usage';

/** A run of text parts of one kind (answer text, or `thought: true` summaries), merged as the non-streamed answer has it. */
interface TextPart {
  readonly kind: 'text';
  readonly thought: boolean;
  readonly text: TextField;
}

/** Any other part (function call, inline data, executable code…): copied, sanitized. */
interface OtherPart {
  readonly kind: 'other';
  readonly value: unknown;
}

type Part = TextPart | OtherPart;

interface Candidate {
  role?: string;
  finishReason?: string;
  readonly parts: Part[];
}

/** A function call: its name and id verbatim, its `args` content. */
const FUNCTION_CALL_PART = objectShape({ functionCall: objectShape({ name: V, id: V, args: C }), thoughtSignature: V });

// The token counts of `usageMetadata` (the per-modality details are left out).
const USAGE_FIELDS: readonly string[] = [
  'promptTokenCount',
  'candidatesTokenCount',
  'cachedContentTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
  'totalTokenCount',
];

/**
 * Assembles a `:streamGenerateContent?alt=sse` stream into one `GenerateContentResponse`, the shape
 * `:generateContent` answers: candidates by `index`, the text of consecutive text parts of the same kind joined,
 * other parts (function calls…) copied in order, the last `finishReason`, the last `usageMetadata` (the total),
 * `modelVersion` and `responseId`. An `{"error":…}` event adds `error`. Thought signatures are opaque and left out.
 */
export class GeminiGenerateAssembly implements StreamAssembly {
  complete = false;
  private modelVersion?: string;
  private responseId?: string;
  private readonly candidates = new IndexedSlots<Candidate>();
  private usage: Record<string, number> | undefined;
  private blockReason?: string;
  private error?: Record<string, unknown>;

  constructor(private readonly ctx: AssemblyContext) {}

  onEvent(event: SseEvent): void {
    const payload = parseEventObject(this.ctx, event.data);
    if (!payload) return;
    if (asRecord(payload['error'])) {
      this.error = assembleError(this.ctx, payload);
      return;
    }
    const { ctx } = this;
    this.modelVersion ??= ctx.short(payload['modelVersion']);
    this.responseId ??= ctx.short(payload['responseId']);
    this.readUsage(payload['usageMetadata']);
    const blockReason = asRecord(payload['promptFeedback'])?.['blockReason'];
    if (typeof blockReason === 'string') {
      this.blockReason = ctx.short(blockReason);
      this.complete = true;
    }
    const candidates = payload['candidates'];
    if (candidates === undefined) return;
    if (!Array.isArray(candidates)) {
      ctx.malformed++;
      return;
    }
    candidates.forEach((raw, position) => this.applyCandidate(asRecord(raw), position));
  }

  onOversizedEvent(): void {
    // Nothing to recover from a skipped Gemini event.
  }

  private readUsage(value: unknown): void {
    const metadata = asRecord(value);
    if (!metadata) return;
    const usage: Record<string, number> = {};
    for (const field of USAGE_FIELDS) {
      const count = tokenCount(metadata[field]);
      if (count !== undefined) usage[field] = count;
    }
    this.usage = usage;
  }

  private applyCandidate(raw: Record<string, unknown> | undefined, position: number): void {
    const { ctx } = this;
    if (!raw) {
      ctx.malformed++;
      return;
    }
    const index = asIndex(raw['index']) ?? position;
    const candidate = this.candidates.obtain(ctx, index, () => ({ parts: [] }));
    if (!candidate) return;
    const content = asRecord(raw['content']);
    if (content) {
      candidate.role ??= ctx.short(content['role']);
      const parts = content['parts'];
      if (Array.isArray(parts)) for (const part of parts) this.applyPart(candidate, asRecord(part));
    }
    if (typeof raw['finishReason'] === 'string') {
      candidate.finishReason = ctx.short(raw['finishReason']);
      this.complete = true;
    }
  }

  private applyPart(candidate: Candidate, part: Record<string, unknown> | undefined): void {
    const { ctx } = this;
    if (!part) {
      ctx.malformed++;
      return;
    }
    const text = part['text'];
    if (typeof text === 'string') {
      const thought = part['thought'] === true;
      const last = candidate.parts[candidate.parts.length - 1];
      if (last?.kind === 'text' && last.thought === thought) {
        last.text.push(text);
        return;
      }
      if (last?.kind === 'text') last.text.end();
      if (!ctx.node()) return;
      const field = ctx.field();
      field.push(text);
      candidate.parts.push({ kind: 'text', thought, text: field });
      return;
    }
    const last = candidate.parts[candidate.parts.length - 1];
    if (last?.kind === 'text') last.text.end();
    const value = sanitizeJson(ctx, part, part['functionCall'] === undefined ? C : FUNCTION_CALL_PART);
    if (value !== undefined) candidate.parts.push({ kind: 'other', value });
  }

  finish(): Record<string, unknown> {
    const candidates = this.candidates.ordered().map(([index, candidate]) =>
      compact({
        content: {
          parts: candidate.parts.map((part) => {
            if (part.kind === 'other') return part.value;
            part.text.end();
            return part.thought ? { text: part.text.value, thought: true } : { text: part.text.value };
          }),
          role: candidate.role ?? 'model',
        },
        finishReason: candidate.finishReason,
        index,
      }),
    );
    return compact({
      candidates: candidates.length > 0 || this.blockReason === undefined ? candidates : undefined,
      promptFeedback: this.blockReason === undefined ? undefined : { blockReason: this.blockReason },
      usageMetadata: this.usage,
      modelVersion: this.modelVersion,
      responseId: this.responseId,
      error: this.error,
    });
  }
}
