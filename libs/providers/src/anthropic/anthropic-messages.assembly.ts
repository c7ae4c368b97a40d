import type { SseEvent } from '../sse/sse-parser';
import { asRecord, tokenCount } from '../usage';
import { asIndex, IndexedSlots, type AssemblyContext, type TextField } from '../assemble/assembly-context';
import { CITATION_SHAPE, OTHER_BLOCK_SHAPE } from './anthropic.shapes';
import { sanitizeJson } from '../assemble/sanitize-json';
import { assembleError, compact, parseEventObject, type StreamAssembly } from '../assemble/stream-assembly';

interface TextBlock {
  readonly kind: 'text';
  readonly text: TextField;
  readonly citations: unknown[];
}

interface ToolUseBlock {
  readonly kind: 'tool_use';
  /** `tool_use`, `server_tool_use` or `mcp_tool_use`. */
  readonly type: string;
  id?: string;
  name?: string;
  /** The filtered `input_json_delta` text. */
  readonly json: TextField;
  /** The sanitized `input` of `content_block_start` (used when no delta came). */
  initialInput?: unknown;
}

interface ThinkingBlock {
  readonly kind: 'thinking';
  readonly thinking: TextField;
}

/** A block type not assembled from deltas (redacted thinking, tool results…): copied, sanitized. */
interface OtherBlock {
  readonly kind: 'other';
  readonly value: unknown;
}

type ContentBlock = TextBlock | ToolUseBlock | ThinkingBlock | OtherBlock;

const TOOL_USE_TYPES: ReadonlySet<string> = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

type UsageField = 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens';
const USAGE_FIELDS: readonly UsageField[] = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];

/**
 * Assembles an Anthropic Messages stream into a `message` body: `message_start` gives id, model and
 * the first usage; `content_block_*` events build the content blocks by index (text, tool_use input
 * from `input_json_delta`, thinking); `message_delta` gives the stop reason and later usage (merged
 * field by field, later values win); `message_stop` completes; `error` adds `error: {type, message}`.
 * Signatures (`signature_delta`) are opaque and left out.
 */
export class AnthropicMessagesAssembly implements StreamAssembly {
  complete = false;
  private id?: string;
  private model?: string;
  private role?: string;
  private stopReason?: string;
  private stopSequence?: string;
  private readonly usage: Partial<Record<UsageField, number>> = {};
  private readonly blocks = new IndexedSlots<ContentBlock>();
  private error?: Record<string, unknown>;

  constructor(private readonly ctx: AssemblyContext) {}

  onEvent(event: SseEvent): void {
    const payload = parseEventObject(this.ctx, event.data);
    if (!payload) return;
    // Anthropic always names its events; a nameless one falls back on the payload's own `type`.
    const type = event.type !== '' ? event.type : typeof payload['type'] === 'string' ? payload['type'] : '';
    if (!this.apply(type, payload)) this.ctx.malformed++;
  }

  onOversizedEvent(): void {
    // Nothing to recover from a skipped Anthropic event.
  }

  private apply(type: string, payload: Record<string, unknown>): boolean {
    switch (type) {
      case 'message_start':
        return this.applyStart(asRecord(payload['message']));
      case 'content_block_start':
        return this.applyBlockStart(asIndex(payload['index']), asRecord(payload['content_block']));
      case 'content_block_delta':
        return this.applyBlockDelta(asIndex(payload['index']), asRecord(payload['delta']));
      case 'content_block_stop': {
        const index = asIndex(payload['index']);
        if (index === undefined) return false;
        const block = this.blocks.get(index);
        if (block) endBlock(block);
        return true;
      }
      case 'message_delta':
        return this.applyMessageDelta(payload);
      case 'message_stop':
        this.complete = true;
        return true;
      case 'ping':
        return true;
      case 'error':
        this.error = assembleError(this.ctx, payload);
        return true;
      default:
        return false;
    }
  }

  private applyStart(message: Record<string, unknown> | undefined): boolean {
    if (!message) return false;
    const { ctx } = this;
    this.id ??= ctx.short(message['id']);
    this.model ??= ctx.short(message['model']);
    this.role ??= ctx.short(message['role']);
    this.applyStop(message);
    this.mergeUsage(message['usage']);
    return true;
  }

  private applyStop(fields: Record<string, unknown>): void {
    if (typeof fields['stop_reason'] === 'string') this.stopReason = this.ctx.short(fields['stop_reason']);
    // The stop sequence is text from the request: filtered like content.
    if (typeof fields['stop_sequence'] === 'string') this.stopSequence = this.ctx.filtered(fields['stop_sequence']);
  }

  private mergeUsage(value: unknown): void {
    const usage = asRecord(value);
    if (!usage) return;
    for (const field of USAGE_FIELDS) {
      const count = tokenCount(usage[field]);
      if (count !== undefined) this.usage[field] = count;
    }
  }

  private applyBlockStart(index: number | undefined, raw: Record<string, unknown> | undefined): boolean {
    if (index === undefined || !raw) return false;
    if (this.blocks.get(index)) return false;
    const { ctx } = this;
    const type = typeof raw['type'] === 'string' ? raw['type'] : '';
    const block = this.blocks.obtain(ctx, index, () => newBlock(ctx, type, raw));
    if (!block) return true; // over budget
    if (block.kind === 'text' && typeof raw['text'] === 'string') block.text.push(raw['text']);
    if (block.kind === 'thinking' && typeof raw['thinking'] === 'string') block.thinking.push(raw['thinking']);
    if (block.kind === 'tool_use') {
      block.id = ctx.short(raw['id']);
      block.name = ctx.short(raw['name']);
      // The input is content: its keys and strings are filtered, whatever they are called.
      if (raw['input'] !== undefined) block.initialInput = sanitizeJson(ctx, raw['input']);
    }
    return true;
  }

  private applyBlockDelta(index: number | undefined, delta: Record<string, unknown> | undefined): boolean {
    if (index === undefined || !delta) return false;
    const { ctx } = this;
    const deltaType = delta['type'];
    // A delta without its content_block_start (not what Anthropic sends) makes the block it implies.
    const implied =
      deltaType === 'text_delta' || deltaType === 'citations_delta'
        ? 'text'
        : deltaType === 'thinking_delta' || deltaType === 'signature_delta'
          ? 'thinking'
          : deltaType === 'input_json_delta'
            ? 'tool_use'
            : undefined;
    if (implied === undefined) return typeof deltaType === 'string'; // newer delta types: ignored
    const block = this.blocks.obtain(ctx, index, () => newBlock(ctx, implied, {}));
    if (!block) return true;
    switch (deltaType) {
      case 'text_delta':
        return block.kind === 'text' && pushString(block.text, delta['text']);
      case 'citations_delta': {
        if (block.kind !== 'text') return false;
        const citation = sanitizeJson(ctx, delta['citation'], CITATION_SHAPE);
        if (citation !== undefined) block.citations.push(citation);
        return true;
      }
      case 'thinking_delta':
        return block.kind === 'thinking' && pushString(block.thinking, delta['thinking']);
      case 'signature_delta':
        return block.kind === 'thinking' || block.kind === 'other';
      default:
        return block.kind === 'tool_use' && pushString(block.json, delta['partial_json']);
    }
  }

  private applyMessageDelta(payload: Record<string, unknown>): boolean {
    const delta = asRecord(payload['delta']);
    if (delta) this.applyStop(delta);
    this.mergeUsage(payload['usage']);
    return delta !== undefined || asRecord(payload['usage']) !== undefined;
  }

  finish(): Record<string, unknown> {
    const content = this.blocks.ordered().map(([, block]) => {
      endBlock(block);
      return blockBody(block);
    });
    const seenUsage = USAGE_FIELDS.some((field) => this.usage[field] !== undefined);
    const usage = seenUsage
      ? compact({
          input_tokens: this.usage.input_tokens ?? 0,
          output_tokens: this.usage.output_tokens ?? 0,
          cache_creation_input_tokens: this.usage.cache_creation_input_tokens,
          cache_read_input_tokens: this.usage.cache_read_input_tokens,
        })
      : undefined;
    return compact({
      type: 'message',
      id: this.id,
      model: this.model,
      role: this.role ?? 'assistant',
      content,
      stop_reason: this.stopReason ?? null,
      stop_sequence: this.stopSequence ?? null,
      usage,
      error: this.error,
    });
  }
}

function pushString(field: TextField, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  field.push(value);
  return true;
}

function newBlock(ctx: AssemblyContext, type: string, raw: Record<string, unknown>): ContentBlock {
  if (type === 'text') return { kind: 'text', text: ctx.field(), citations: [] };
  if (type === 'thinking') return { kind: 'thinking', thinking: ctx.field() };
  if (TOOL_USE_TYPES.has(type)) return { kind: 'tool_use', type, json: ctx.field() };
  return {
    kind: 'other',
    value: sanitizeJson(ctx, raw, OTHER_BLOCK_SHAPE) ?? null,
  };
}

/** Ends the filters of a block whose `content_block_stop` arrived (or at stream end). */
function endBlock(block: ContentBlock): void {
  if (block.kind === 'text') block.text.end();
  else if (block.kind === 'thinking') block.thinking.end();
  else if (block.kind === 'tool_use') block.json.end();
}

/**
 * A tool_use input: the filtered `input_json_delta` text parsed (so its strings are filtered text),
 * or that text itself when it does not parse (cut short, or a filter broke the JSON); without any
 * delta, the block's own sanitized `input`.
 */
function toolInput(block: ToolUseBlock): unknown {
  const text = block.json.value;
  if (text.length === 0) return block.initialInput ?? {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function blockBody(block: ContentBlock): unknown {
  switch (block.kind) {
    case 'text':
      return block.citations.length > 0
        ? { type: 'text', text: block.text.value, citations: block.citations }
        : { type: 'text', text: block.text.value };
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking.value };
    case 'tool_use':
      return compact({
        type: block.type,
        id: block.id ?? '',
        name: block.name ?? '',
        input: toolInput(block),
      });
    default:
      return block.value;
  }
}
