import { reconstructChain, type ChainNode } from './reconstruct-chain';

const t = (id: string, second: number, parentTraceId: string | null = null): ChainNode => ({
  id,
  startedAt: `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`,
  parentTraceId,
});

/** Deterministic shuffles (a seeded LCG) so failures reproduce. */
function shuffles<T>(items: readonly T[], count: number): T[][] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      const [a, b] = [copy[i], copy[j]];
      if (a === undefined || b === undefined) throw new RangeError(`shuffle index ${i} or ${j} out of range`);
      [copy[i], copy[j]] = [b, a];
    }
    return copy;
  });
}

const order = (traces: readonly ChainNode[]) => reconstructChain(traces).traces.map((trace) => `${trace.id}@${trace.depth}`);

describe('reconstructChain', () => {
  it('puts every trace after its parent, even when the child’s clock says it started earlier', () => {
    const traces = [t('a', 10), t('b', 5, 'a'), t('c', 1, 'b'), t('d', 11)];
    expect(order(traces)).toEqual(['a@0', 'b@1', 'c@2', 'd@0']);
  });

  it('orders ready traces by started_at, then id', () => {
    const traces = [t('root', 0), t('y', 3, 'root'), t('x', 3, 'root'), t('w', 2, 'root'), t('z', 1)];
    expect(order(traces)).toEqual(['root@0', 'z@0', 'w@1', 'x@1', 'y@1']);
  });

  it('gives the same chain whatever order the traces were written or read in', () => {
    const traces = [
      t('r1', 0),
      t('c1', 2, 'r1'),
      t('c2', 2, 'r1'),
      t('g1', 1, 'c1'),
      t('g2', 4, 'c2'),
      t('o1', 3, 'gone'),
      t('r2', 5),
      t('loop1', 6, 'loop2'),
      t('loop2', 7, 'loop1'),
      t('under-loop', 8, 'loop2'),
    ];
    const expected = reconstructChain(traces);
    for (const shuffled of shuffles(traces, 200)) expect(reconstructChain(shuffled)).toEqual(expected);
  });

  it('starts a new root at a trace whose parent is missing, and reports it as an orphan', () => {
    const result = reconstructChain([t('b', 2, 'not-written-yet'), t('a', 1), t('c', 3, 'b')]);
    expect(result.traces.map((trace) => [trace.id, trace.depth])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 1],
    ]);
    expect(result.roots).toEqual(['a', 'b']);
    expect(result.orphans).toEqual([{ traceId: 'b', missingParentId: 'not-written-yet' }]);
    expect(result.cycles).toEqual([]);
  });

  it('breaks a parent cycle at its earliest trace, deterministically, and reports it', () => {
    const result = reconstructChain([t('x', 5, 'z'), t('y', 3, 'x'), t('z', 4, 'y'), t('tail', 1, 'z'), t('free', 0)]);
    expect(result.traces.map((trace) => `${trace.id}@${trace.depth}`)).toEqual(['free@0', 'y@0', 'z@1', 'tail@2', 'x@2']);
    expect(result.cycles).toEqual([{ traceIds: ['y', 'x', 'z'], brokenAt: 'y', ignoredParentId: 'x' }]);
    expect(result.roots).toEqual(['free', 'y']);
  });

  it('handles a trace that names itself as parent, and two separate cycles', () => {
    const result = reconstructChain([t('self', 1, 'self'), t('a', 2, 'b'), t('b', 3, 'a')]);
    expect(result.traces.map((trace) => `${trace.id}@${trace.depth}`)).toEqual(['self@0', 'a@0', 'b@1']);
    expect(result.cycles.map((cycle) => cycle.brokenAt)).toEqual(['self', 'a']);
  });

  it('keeps one copy of a duplicated id and places every trace exactly once', () => {
    const result = reconstructChain([t('a', 1), t('a', 1), t('b', 2, 'a')]);
    expect(result.traces.map((trace) => trace.id)).toEqual(['a', 'b']);
  });

  it('orders a long chain written backwards (no recursion limits, every trace placed)', () => {
    const traces = Array.from({ length: 20_000 }, (_, i) => ({
      id: `t${String(i).padStart(6, '0')}`,
      startedAt: '2026-11-23T10:00:00.000Z',
      parentTraceId: i === 0 ? null : `t${String(i - 1).padStart(6, '0')}`,
    })).reverse();
    const result = reconstructChain(traces);
    expect(result.traces).toHaveLength(20_000);
    expect(result.traces[19_999]).toMatchObject({ id: 't019999', depth: 19_999 });
  });

  it('returns an empty chain for no traces', () => {
    expect(reconstructChain([])).toEqual({ traces: [], roots: [], orphans: [], cycles: [] });
  });
});
