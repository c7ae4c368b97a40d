import { orderParentsFirst } from './lineage-order';

const t = (id: string, second: number, parentTraceId: string | null = null) => ({
  id,
  startedAt: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
  parentTraceId,
});

describe('orderParentsFirst', () => {
  it('orders by started_at then id', () => {
    expect(orderParentsFirst([t('b', 1), t('a', 1), t('c', 0)]).map((x) => x.id)).toEqual(['c', 'a', 'b']);
  });

  it('puts a parent before children that started earlier, with depths', () => {
    const placed = orderParentsFirst([t('child', 1, 'root'), t('grandchild', 0, 'child'), t('root', 5), t('other', 3)]);
    expect(placed.map((x) => [x.id, x.depth])).toEqual([
      ['other', 0],
      ['root', 0],
      ['child', 1],
      ['grandchild', 2],
    ]);
  });

  it('gives the same order whatever the input order', () => {
    const input = [t('a', 2), t('b', 1, 'a'), t('c', 1, 'a'), t('d', 0), t('e', 3, 'missing')];
    const expected = orderParentsFirst(input).map((x) => x.id);
    expect(orderParentsFirst([...input].reverse()).map((x) => x.id)).toEqual(expected);
    expect(expected).toEqual(['d', 'a', 'b', 'c', 'e']);
  });

  it('keeps traces caught in a parent cycle, last', () => {
    const placed = orderParentsFirst([t('x', 0, 'y'), t('y', 1, 'x'), t('z', 2)]);
    expect(placed.map((p) => [p.id, p.depth])).toEqual([
      ['z', 0],
      ['x', 0],
      ['y', 0],
    ]);
  });
});
