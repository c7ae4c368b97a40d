import { asRecord } from '../usage';
import { asFiniteNumber, asIndex, IndexedSlots, type AssemblyContext, type TextField } from '../assemble/assembly-context';
import { ANNOTATION_SHAPE, OUTPUT_ITEM_SHAPE, RESPONSE_OUTPUT_SHAPE, RESPONSE_SHAPE } from './openai.shapes';
import { sanitizeJson, sanitizeMembers } from '../assemble/sanitize-json';
import { assembleError, compact } from '../assemble/stream-assembly';

/** Responses API events that end a stream; each carries the final `response`. */
export const TERMINAL_RESPONSE_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

type PartType = 'output_text' | 'refusal';

interface MessagePart {
  readonly type: PartType;
  readonly text: TextField;
  readonly annotations: unknown[];
}

interface MessageItem {
  readonly kind: 'message';
  id?: string;
  status?: string;
  role?: string;
  readonly parts: IndexedSlots<MessagePart>;
}

interface FunctionCallItem {
  readonly kind: 'function_call';
  id?: string;
  callId?: string;
  name?: string;
  status?: string;
  readonly args: TextField;
}

interface ReasoningItem {
  readonly kind: 'reasoning';
  id?: string;
  status?: string;
  readonly summary: IndexedSlots<TextField>;
}

/** An output item type not assembled from deltas (web search, image generation…): copied, sanitized. */
interface OtherItem {
  readonly kind: 'other';
  value: unknown;
}

type OutputItem = MessageItem | FunctionCallItem | ReasoningItem | OtherItem;
type ItemKind = OutputItem['kind'];

/**
 * Assembles an OpenAI Responses API stream. When a terminal event (`response.completed`,
 * `incomplete`, `failed`) arrives, its `response` object becomes the body, sanitized: every content
 * string (output texts, function-call arguments, reasoning summaries, echoed instructions…) goes
 * through a fresh filter, its `output` copied first so it gets the budget first. The partial
 * assembly is then dropped and its budget given back. Without one, the body is built from the
 * `output_item` / `content_part` / `*.delta` events with `status: 'in_progress'`.
 */
export class ResponsesAssembly {
  complete = false;
  private id?: string;
  private model?: string;
  private createdAt?: number;
  private items = new IndexedSlots<OutputItem>();
  private readonly itemIndex = new Map<string, number>();
  private final?: Record<string, unknown>;
  private error?: Record<string, unknown>;

  constructor(private readonly ctx: AssemblyContext) {}

  /** Applies one event (`type` is `response.*` or `error`); false when its shape is unexpected. */
  apply(type: string, payload: Record<string, unknown>): boolean {
    if (this.final) return true; // nothing follows the terminal event
    if (TERMINAL_RESPONSE_EVENTS.has(type)) return this.applyTerminal(payload);
    switch (type) {
      case 'error':
        this.error = assembleError(this.ctx, payload);
        return true;
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        return this.applyHeader(asRecord(payload['response']));
      case 'response.output_item.added':
      case 'response.output_item.done':
        return this.applyItem(payload, type.endsWith('.done'));
      case 'response.content_part.added':
      case 'response.content_part.done':
        return this.applyPart(payload, type.endsWith('.done'));
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return this.applyPartDelta(payload, type === 'response.refusal.delta' ? 'refusal' : 'output_text', false);
      case 'response.output_text.done':
      case 'response.refusal.done':
        return this.applyPartDelta(payload, type === 'response.refusal.done' ? 'refusal' : 'output_text', true);
      case 'response.output_text.annotation.added':
        return this.applyAnnotation(payload);
      case 'response.function_call_arguments.delta':
      case 'response.function_call_arguments.done':
        return this.applyArguments(payload, type.endsWith('.done'));
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_summary_text.done':
        return this.applySummary(payload, type);
      default:
        // Other response.* events (tool progress, audio…) carry nothing assembled here.
        return type.startsWith('response.');
    }
  }

  /** A terminal event too large to parse: the stream still ended. */
  onOversizedTerminal(): void {
    this.complete = true;
  }

  private applyHeader(response: Record<string, unknown> | undefined): boolean {
    if (!response) return false;
    this.id ??= this.ctx.short(response['id']);
    this.model ??= this.ctx.short(response['model']);
    this.createdAt ??= asFiniteNumber(response['created_at']);
    return true;
  }

  private applyTerminal(payload: Record<string, unknown>): boolean {
    this.complete = true;
    const response = asRecord(payload['response']);
    if (!response) return false;
    const { ctx } = this;
    // The partial assembly is replaced: flush its filters, then give its budget to the final object.
    ctx.endAll();
    this.items = new IndexedSlots<OutputItem>();
    this.itemIndex.clear();
    ctx.resetBudget();
    const precomputed = new Map<string, unknown>();
    if ('output' in response) precomputed.set('output', sanitizeJson(ctx, response['output'], RESPONSE_OUTPUT_SHAPE));
    this.final = sanitizeMembers(ctx, response, RESPONSE_SHAPE, 0, precomputed);
    return true;
  }

  /** The output index an event refers to (`output_index`, else its `item_id`). */
  private locate(payload: Record<string, unknown>): number | undefined {
    const index = asIndex(payload['output_index']);
    if (index !== undefined) return index;
    const itemId = payload['item_id'];
    return typeof itemId === 'string' ? this.itemIndex.get(itemId) : undefined;
  }

  private obtain<K extends ItemKind>(index: number, kind: K, itemId: unknown): Extract<OutputItem, { kind: K }> | undefined {
    const { ctx } = this;
    const item = this.items.obtain(ctx, index, () => newItem(ctx, kind));
    if (!item || item.kind !== kind) return undefined;
    if (typeof itemId === 'string' && itemId.length > 0 && !this.itemIndex.has(itemId) && ctx.node()) {
      this.itemIndex.set(itemId, index);
    }
    return item as Extract<OutputItem, { kind: K }>;
  }

  private applyItem(payload: Record<string, unknown>, done: boolean): boolean {
    const index = asIndex(payload['output_index']);
    const raw = asRecord(payload['item']);
    if (index === undefined || !raw) return false;
    const { ctx } = this;
    const type = raw['type'];
    const kind: ItemKind = type === 'message' || type === 'function_call' || type === 'reasoning' ? type : 'other';
    const existing = this.items.get(index);
    if (existing && existing.kind !== kind) return false;
    if (kind === 'other') {
      const item = this.obtain(index, 'other', raw['id']);
      if (item) item.value = sanitizeJson(ctx, raw, OUTPUT_ITEM_SHAPE);
      return true;
    }
    const item = this.obtain(index, kind, raw['id']);
    if (!item) return true; // over budget
    item.id ??= ctx.short(raw['id']);
    if (typeof raw['status'] === 'string') item.status = ctx.short(raw['status']) ?? item.status;
    if (item.kind === 'message') {
      item.role ??= ctx.short(raw['role']);
      if (done) this.completeMessage(item, raw['content']);
    } else if (item.kind === 'function_call') {
      item.callId ??= ctx.short(raw['call_id']);
      item.name ??= ctx.short(raw['name']);
      // The arguments normally come as deltas; take the item's own only when none did.
      if (!item.args.seen && typeof raw['arguments'] === 'string') item.args.push(raw['arguments']);
      if (done) item.args.end();
    } else if (item.kind === 'reasoning' && done) {
      for (const [, text] of item.summary.ordered()) text.end();
    }
    return true;
  }

  /** At `output_item.done`: parts whose deltas never came take the item's text; all filters end. */
  private completeMessage(item: MessageItem, content: unknown): void {
    if (Array.isArray(content)) {
      content.forEach((raw, index) => {
        const part = asRecord(raw);
        const type = part?.['type'];
        if (!part || (type !== 'output_text' && type !== 'refusal')) return;
        const slot = item.parts.obtain(this.ctx, index, () => newPart(this.ctx, type));
        const text = part[type === 'refusal' ? 'refusal' : 'text'];
        if (slot && slot.type === type && !slot.text.seen && typeof text === 'string') slot.text.push(text);
      });
    }
    for (const [, part] of item.parts.ordered()) part.text.end();
  }

  private applyPart(payload: Record<string, unknown>, done: boolean): boolean {
    const index = this.locate(payload);
    const contentIndex = asIndex(payload['content_index']);
    const raw = asRecord(payload['part']);
    const type = raw?.['type'];
    if (index === undefined || contentIndex === undefined || !raw) return false;
    if (type !== 'output_text' && type !== 'refusal') return true; // other part types are not assembled
    const item = this.obtain(index, 'message', payload['item_id']);
    if (!item) return this.items.get(index) === undefined;
    const part = item.parts.obtain(this.ctx, contentIndex, () => newPart(this.ctx, type));
    if (!part) return true;
    if (part.type !== type) return false;
    const text = raw[type === 'refusal' ? 'refusal' : 'text'];
    if (!part.text.seen && typeof text === 'string' && text.length > 0) part.text.push(text);
    if (done) part.text.end();
    return true;
  }

  private applyPartDelta(payload: Record<string, unknown>, type: PartType, done: boolean): boolean {
    const index = this.locate(payload);
    const contentIndex = asIndex(payload['content_index']) ?? 0;
    const delta = payload['delta'];
    if (index === undefined || (!done && typeof delta !== 'string')) return false;
    const item = this.obtain(index, 'message', payload['item_id']);
    if (!item) return this.items.get(index) === undefined;
    const part = item.parts.obtain(this.ctx, contentIndex, () => newPart(this.ctx, type));
    if (!part) return true;
    if (part.type !== type) return false;
    if (done) {
      // `done` repeats the whole text: used only when no delta came.
      const whole = payload[type === 'refusal' ? 'refusal' : 'text'];
      if (!part.text.seen && typeof whole === 'string') part.text.push(whole);
      part.text.end();
    } else if (typeof delta === 'string') {
      part.text.push(delta);
    }
    return true;
  }

  private applyAnnotation(payload: Record<string, unknown>): boolean {
    const index = this.locate(payload);
    const contentIndex = asIndex(payload['content_index']) ?? 0;
    const annotation = asRecord(payload['annotation']);
    if (index === undefined || !annotation) return false;
    const item = this.obtain(index, 'message', payload['item_id']);
    if (!item) return this.items.get(index) === undefined;
    const part = item.parts.obtain(this.ctx, contentIndex, () => newPart(this.ctx, 'output_text'));
    if (!part) return true;
    const copy = sanitizeJson(this.ctx, annotation, ANNOTATION_SHAPE);
    if (copy !== undefined) part.annotations.push(copy);
    return true;
  }

  private applyArguments(payload: Record<string, unknown>, done: boolean): boolean {
    const index = this.locate(payload);
    const delta = payload['delta'];
    if (index === undefined || (!done && typeof delta !== 'string')) return false;
    const item = this.obtain(index, 'function_call', payload['item_id']);
    if (!item) return this.items.get(index) === undefined;
    if (done) {
      if (!item.args.seen && typeof payload['arguments'] === 'string') item.args.push(payload['arguments']);
      item.args.end();
    } else if (typeof delta === 'string') {
      item.args.push(delta);
    }
    return true;
  }

  private applySummary(payload: Record<string, unknown>, type: string): boolean {
    const index = this.locate(payload);
    const summaryIndex = asIndex(payload['summary_index']) ?? 0;
    if (index === undefined) return false;
    const item = this.obtain(index, 'reasoning', payload['item_id']);
    if (!item) return this.items.get(index) === undefined;
    const text = item.summary.obtain(this.ctx, summaryIndex, () => this.ctx.field());
    if (!text) return true;
    if (type === 'response.reasoning_summary_text.delta') {
      const delta = payload['delta'];
      if (typeof delta !== 'string') return false;
      text.push(delta);
    } else if (type === 'response.reasoning_summary_text.done') {
      if (!text.seen && typeof payload['text'] === 'string') text.push(payload['text']);
      text.end();
    }
    return true;
  }

  /** The terminal `response` when it arrived, else the partial `response` object. */
  body(): Record<string, unknown> {
    if (this.final) {
      const error = this.final['error'];
      return this.error && (error === undefined || error === null) ? { ...this.final, error: this.error } : this.final;
    }
    this.ctx.endAll();
    return compact({
      object: 'response',
      id: this.id,
      created_at: this.createdAt,
      model: this.model,
      status: 'in_progress',
      output: this.items.ordered().map(([, item]) => itemBody(item)),
      error: this.error,
    });
  }
}

function newItem(ctx: AssemblyContext, kind: ItemKind): OutputItem {
  switch (kind) {
    case 'message':
      return { kind: 'message', parts: new IndexedSlots<MessagePart>() };
    case 'function_call':
      return { kind: 'function_call', args: ctx.field() };
    case 'reasoning':
      return { kind: 'reasoning', summary: new IndexedSlots<TextField>() };
    default:
      return { kind: 'other', value: undefined };
  }
}

function newPart(ctx: AssemblyContext, type: PartType): MessagePart {
  return { type, text: ctx.field(), annotations: [] };
}

function itemBody(item: OutputItem): unknown {
  switch (item.kind) {
    case 'message':
      return compact({
        type: 'message',
        id: item.id,
        status: item.status,
        role: item.role ?? 'assistant',
        content: item.parts.ordered().map(([, part]) =>
          part.type === 'refusal'
            ? { type: 'refusal', refusal: part.text.value }
            : {
                type: 'output_text',
                text: part.text.value,
                annotations: part.annotations,
              },
        ),
      });
    case 'function_call':
      return compact({
        type: 'function_call',
        id: item.id,
        call_id: item.callId,
        name: item.name,
        arguments: item.args.value,
        status: item.status,
      });
    case 'reasoning':
      return compact({
        type: 'reasoning',
        id: item.id,
        status: item.status,
        summary: item.summary.ordered().map(([, text]) => ({ type: 'summary_text', text: text.value })),
      });
    default:
      return item.value ?? null;
  }
}
