import { asRecord } from '../usage';
import { MAX_JSON_DEPTH, setMember, type AssemblyContext } from './assembly-context';

/**
 * Keys whose string values are identifiers or enums (ids, model, status, types, tool names), copied
 * verbatim but clipped. Every other string of a provider object is content and goes through a filter.
 */
const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  'id',
  'object',
  'type',
  'status',
  'role',
  'model',
  'name',
  'call_id',
  'item_id',
  'previous_response_id',
  'service_tier',
  'system_fingerprint',
  'truncation',
  'finish_reason',
  'stop_reason',
  'effort',
  'verbosity',
  'tool_choice',
  'code',
  'param',
]);

/** True when the string value of `key` is copied verbatim (clipped) rather than filtered. */
export function isIdentifierKey(key: string): boolean {
  return IDENTIFIER_KEYS.has(key);
}

/** What a scalar (number, boolean, null) costs. */
const SCALAR_CHARS = 8;

/**
 * A bounded copy of a parsed provider JSON value in which every content string went through a
 * fresh filter. Returns undefined when nothing of it fits the budget (or it nests too deep); an
 * array or object that runs out of budget midway keeps the members copied so far.
 */
export function sanitizeJson(ctx: AssemblyContext, value: unknown, key = '', depth = 0): unknown {
  if (typeof value === 'string') return isIdentifierKey(key) ? ctx.short(value) : ctx.filtered(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return ctx.charge(SCALAR_CHARS) ? value : undefined;
  }
  if (depth >= MAX_JSON_DEPTH) {
    ctx.markTruncated();
    return undefined;
  }
  if (!ctx.charge(2)) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) {
      const copy = sanitizeJson(ctx, element, key, depth + 1);
      if (copy === undefined) break;
      out.push(copy);
    }
    return out;
  }
  const record = asRecord(value);
  if (!record) return undefined;
  return sanitizeMembers(ctx, record, depth);
}

/**
 * The members of `record`, sanitized in order until one does not fit; members already copied by the
 * caller (`precomputed`, e.g. a Responses `output` given the budget first) are kept wherever they sit.
 */
export function sanitizeMembers(
  ctx: AssemblyContext,
  record: Record<string, unknown>,
  depth = 0,
  precomputed?: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let full = false;
  for (const [name, member] of Object.entries(record)) {
    if (precomputed?.has(name)) {
      const copy = precomputed.get(name);
      if (copy !== undefined) setMember(out, name, copy);
      continue;
    }
    if (full) continue;
    const copy = ctx.charge(name.length + 4) ? sanitizeJson(ctx, member, name, depth + 1) : undefined;
    if (copy === undefined) full = true;
    else setMember(out, name, copy);
  }
  return out;
}
