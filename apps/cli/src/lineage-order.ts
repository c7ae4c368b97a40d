/** What ordering a lineage chain needs of each trace. */
export interface LineageNode {
  readonly id: string;
  readonly startedAt: string;
  readonly parentTraceId: string | null;
}

/** A trace placed in a chain: `depth` 0 for a trace whose parent is not in the chain. */
export type Placed<T> = T & { readonly depth: number };

/** Orders by started_at then id, comparing code units (ISO-8601 UTC text sorts in time order). */
export function compareByStart(a: LineageNode, b: LineageNode): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * Orders a chain deterministically: by started_at then id, except that a parent always comes before its
 * children (clocks of different instances may disagree, so a child can carry an earlier start). This is a
 * topological sort that always emits the earliest ready trace. Traces caught in a parent cycle (corrupt data)
 * come last, in started_at/id order, at depth 0.
 */
export function orderParentsFirst<T extends LineageNode>(traces: readonly T[]): Array<Placed<T>> {
  const sorted = [...traces].sort(compareByStart);
  const byId = new Map(sorted.map((trace) => [trace.id, trace]));
  const children = new Map<string, T[]>();
  const ready: T[] = [];
  for (const trace of sorted) {
    const parent = trace.parentTraceId;
    if (parent !== null && parent !== trace.id && byId.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(trace);
      children.set(parent, list);
    } else {
      ready.push(trace);
    }
  }
  const depth = new Map<string, number>();
  const placed: Array<Placed<T>> = [];
  while (ready.length > 0) {
    const next = ready.shift() as T;
    const parent = next.parentTraceId;
    const level = parent !== null && depth.has(parent) ? (depth.get(parent) as number) + 1 : 0;
    depth.set(next.id, level);
    placed.push({ ...next, depth: level });
    for (const child of children.get(next.id) ?? []) insertSorted(ready, child);
  }
  if (placed.length < sorted.length) {
    for (const trace of sorted) if (!depth.has(trace.id)) placed.push({ ...trace, depth: 0 });
  }
  return placed;
}

function insertSorted<T extends LineageNode>(list: T[], item: T): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareByStart(list[mid] as T, item) < 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, item);
}
