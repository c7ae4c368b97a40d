import { asRecord } from '../usage';
import { MAX_JSON_DEPTH, setMember, type AssemblyContext } from './assembly-context';
import { CONTENT, fixedKeys, type JsonShape } from './json-shape';

/** What a scalar (number, boolean, null) costs. */
const SCALAR_CHARS = 8;

/** What the quotes and colon around a member's key cost. */
const KEY_CHARS = 4;

/**
 * A bounded copy of a parsed provider JSON value in which every content string and every content
 * object key went through a fresh filter. `shape` says where the value sits: only a string at a
 * `verbatim` position is copied as is (clipped), only a fixed key of an object at a known position
 * keeps its name unfiltered; everything else — the default — is content. Returns undefined when
 * nothing of it fits the budget (or it nests too deep); an array or object that runs out of budget
 * midway keeps the members copied so far.
 */
export function sanitizeJson(ctx: AssemblyContext, value: unknown, shape: JsonShape = CONTENT, depth = 0): unknown {
  if (typeof value === 'string') return shape.verbatim ? ctx.short(value) : ctx.filtered(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return ctx.charge(SCALAR_CHARS) ? value : undefined;
  }
  if (depth >= MAX_JSON_DEPTH) {
    ctx.markTruncated();
    return undefined;
  }
  if (!ctx.charge(2)) return undefined;
  if (Array.isArray(value)) {
    const items = shape.items ?? CONTENT;
    const out: unknown[] = [];
    for (const element of value) {
      const copy = sanitizeJson(ctx, element, items, depth + 1);
      if (copy === undefined) break;
      out.push(copy);
    }
    return out;
  }
  const record = asRecord(value);
  if (!record) return undefined;
  return sanitizeMembers(ctx, record, shape, depth);
}

/**
 * The members of `record` (an object at `shape`), sanitized in order until one does not fit. A
 * fixed key of the shape keeps its name and its value is copied by its own shape; any other key is
 * filtered and its value is content. A key the filter made equal to one already copied gets a
 * `#2`, `#3`… suffix. Members already copied by the caller (`precomputed`, e.g. a Responses
 * `output` given the budget first; fixed keys only) are kept wherever they sit.
 */
export function sanitizeMembers(
  ctx: AssemblyContext,
  record: Record<string, unknown>,
  shape: JsonShape,
  depth = 0,
  precomputed?: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  const fixed = fixedKeys(shape, record);
  const out: Record<string, unknown> = {};
  const suffixes = new Map<string, number>();
  let full = false;
  for (const [name, member] of Object.entries(record)) {
    const memberShape = fixed?.get(name);
    if (memberShape && precomputed?.has(name)) {
      const copy = precomputed.get(name);
      if (copy !== undefined) setMember(out, freeKey(out, name, suffixes), copy);
      continue;
    }
    if (full) continue;
    let key: string | undefined;
    if (memberShape) key = ctx.charge(name.length + KEY_CHARS) ? name : undefined;
    else key = ctx.filteredKey(name, KEY_CHARS);
    const copy = key === undefined ? undefined : sanitizeJson(ctx, member, memberShape ?? CONTENT, depth + 1);
    if (key === undefined || copy === undefined) full = true;
    else setMember(out, freeKey(out, key, suffixes), copy);
  }
  return out;
}

/** `key`, or when `out` already has it, `key#n` with the least n ≥ 2 not taken yet. */
function freeKey(out: Record<string, unknown>, key: string, suffixes: Map<string, number>): string {
  if (!Object.hasOwn(out, key)) return key;
  let n = suffixes.get(key) ?? 2;
  while (Object.hasOwn(out, `${key}#${n}`)) n++;
  suffixes.set(key, n + 1);
  return `${key}#${n}`;
}
