import { asRecord } from '../usage';
import { asFiniteNumber, asIndex, IndexedSlots, type AssemblyContext, type TextField } from '../assemble/assembly-context';
import { USAGE_SHAPE } from './openai.shapes';
import { sanitizeJson } from '../assemble/sanitize-json';
import { assembleError, compact } from '../assemble/stream-assembly';

/** Which chunk stream: Chat Completions (`delta`s) or legacy completions (`text` pieces). */
export type ChunkStreamKind = 'chat' | 'text';

interface ToolCallState {
  id?: string;
  type?: string;
  name?: string;
  readonly args: TextField;
}

interface ChoiceState {
  role?: string;
  /** `delta.content` (chat) or `text` (legacy completions). */
  readonly content: TextField;
  readonly refusal: TextField;
  readonly toolCalls: IndexedSlots<ToolCallState>;
  /** The deprecated `function_call` delta. */
  functionCall?: ToolCallState;
  finishReason?: string;
}

/**
 * Assembles the unnamed `data:` chunks of an OpenAI Chat Completions stream (`chat.completion.chunk`)
 * or legacy completions stream (`text_completion`) into the non-streamed body: text concatenated per
 * choice index and tool-call index, `finish_reason` as sent, `usage` from the usage chunk.
 * A choice's text fields end their filters when its `finish_reason` arrives.
 */
export class ChunkAssembly {
  private id?: string;
  private model?: string;
  private created?: number;
  private systemFingerprint?: string;
  private serviceTier?: string;
  private readonly choices = new IndexedSlots<ChoiceState>();
  private usage: unknown;
  private error?: Record<string, unknown>;

  constructor(
    private readonly ctx: AssemblyContext,
    readonly kind: ChunkStreamKind,
  ) {}

  /** Applies one chunk; false when part of it had an unexpected shape (the rest is still applied). */
  apply(chunk: Record<string, unknown>): boolean {
    const { ctx } = this;
    this.id ??= ctx.short(chunk['id']);
    this.model ??= ctx.short(chunk['model']);
    this.created ??= asFiniteNumber(chunk['created']);
    this.systemFingerprint ??= ctx.short(chunk['system_fingerprint']);
    this.serviceTier ??= ctx.short(chunk['service_tier']);
    let ok = true;
    const choices = chunk['choices'];
    if (Array.isArray(choices)) {
      for (const raw of choices) ok = this.applyChoice(asRecord(raw)) && ok;
    } else if (choices !== undefined) {
      ok = false;
    }
    const usage = asRecord(chunk['usage']);
    if (usage) this.usage = sanitizeJson(ctx, usage, USAGE_SHAPE);
    if (asRecord(chunk['error'])) this.error = assembleError(ctx, chunk);
    return ok;
  }

  /** Records a mid-stream error event. */
  applyError(payload: Record<string, unknown>): void {
    this.error = assembleError(this.ctx, payload);
  }

  private applyChoice(raw: Record<string, unknown> | undefined): boolean {
    const index = asIndex(raw?.['index']);
    if (!raw || index === undefined) return false;
    const { ctx } = this;
    const choice = this.choices.obtain(ctx, index, () => ({
      content: ctx.field(),
      refusal: ctx.field(),
      toolCalls: new IndexedSlots<ToolCallState>(),
    }));
    if (!choice) return true; // over budget: dropped, already marked truncated
    let ok = true;
    if (this.kind === 'text') {
      const text = raw['text'];
      if (typeof text === 'string') choice.content.push(text);
    } else {
      const delta = raw['delta'];
      if (asRecord(delta)) ok = this.applyDelta(choice, asRecord(delta) ?? {});
      else if (delta !== undefined && delta !== null) ok = false;
    }
    const finish = raw['finish_reason'];
    if (typeof finish === 'string') {
      choice.finishReason ??= ctx.short(finish);
      endChoice(choice);
    }
    return ok;
  }

  private applyDelta(choice: ChoiceState, delta: Record<string, unknown>): boolean {
    const { ctx } = this;
    choice.role ??= ctx.short(delta['role']);
    const content = delta['content'];
    if (typeof content === 'string') choice.content.push(content);
    const refusal = delta['refusal'];
    if (typeof refusal === 'string') choice.refusal.push(refusal);
    let ok = true;
    const toolCalls = delta['tool_calls'];
    if (Array.isArray(toolCalls)) {
      for (const raw of toolCalls) ok = this.applyToolCall(choice, asRecord(raw)) && ok;
    } else if (toolCalls !== undefined && toolCalls !== null) {
      ok = false;
    }
    const functionCall = asRecord(delta['function_call']);
    if (functionCall) {
      if (!choice.functionCall) {
        if (!ctx.node()) return ok;
        choice.functionCall = { args: ctx.field() };
      }
      applyFunction(ctx, choice.functionCall, functionCall);
    }
    return ok;
  }

  private applyToolCall(choice: ChoiceState, raw: Record<string, unknown> | undefined): boolean {
    const index = asIndex(raw?.['index']);
    if (!raw || index === undefined) return false;
    const { ctx } = this;
    const call = choice.toolCalls.obtain(ctx, index, () => ({
      args: ctx.field(),
    }));
    if (!call) return true;
    call.id ??= ctx.short(raw['id']);
    call.type ??= ctx.short(raw['type']);
    const fn = asRecord(raw['function']);
    if (fn) applyFunction(ctx, call, fn);
    return true;
  }

  /** The body so far, as `chat.completion` or `text_completion`. Ends every filter first. */
  body(): Record<string, unknown> {
    for (const [, choice] of this.choices.ordered()) endChoice(choice);
    const choices = this.choices
      .ordered()
      .map(([index, choice]) => (this.kind === 'chat' ? chatChoice(index, choice) : textChoice(index, choice)));
    return compact({
      object: this.kind === 'chat' ? 'chat.completion' : 'text_completion',
      id: this.id,
      created: this.created,
      model: this.model,
      system_fingerprint: this.systemFingerprint,
      service_tier: this.serviceTier,
      choices,
      usage: this.usage,
      error: this.error,
    });
  }
}

function applyFunction(ctx: AssemblyContext, call: ToolCallState, fn: Record<string, unknown>): void {
  call.name ??= ctx.short(fn['name']);
  const args = fn['arguments'];
  if (typeof args === 'string') call.args.push(args);
}

function endChoice(choice: ChoiceState): void {
  choice.content.end();
  choice.refusal.end();
  for (const [, call] of choice.toolCalls.ordered()) call.args.end();
  choice.functionCall?.args.end();
}

function chatChoice(index: number, choice: ChoiceState): Record<string, unknown> {
  const toolCalls = choice.toolCalls.ordered().map(([, call]) => ({
    id: call.id ?? '',
    type: call.type ?? 'function',
    function: { name: call.name ?? '', arguments: call.args.value },
  }));
  const fn = choice.functionCall;
  const message = compact({
    role: choice.role ?? 'assistant',
    content: choice.content.seen ? choice.content.value : null,
    refusal: choice.refusal.seen ? choice.refusal.value : undefined,
    tool_calls: toolCalls.length > 0 ? toolCalls : undefined,
    function_call: fn ? { name: fn.name ?? '', arguments: fn.args.value } : undefined,
  });
  return { index, message, finish_reason: choice.finishReason ?? null };
}

function textChoice(index: number, choice: ChoiceState): Record<string, unknown> {
  return {
    index,
    text: choice.content.value,
    finish_reason: choice.finishReason ?? null,
  };
}
