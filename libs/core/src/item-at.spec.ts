import { itemAt } from './item-at';

describe('itemAt', () => {
  it('is the item at an index in range', () => {
    expect(itemAt(['a', 'b', 'c'], 0)).toBe('a');
    expect(itemAt(['a', 'b', 'c'], 2)).toBe('c');
  });

  it('throws for an index outside the list instead of handing back undefined', () => {
    expect(() => itemAt(['a'], 1)).toThrow(new RangeError('index 1 is outside a list of 1'));
    expect(() => itemAt([], 0)).toThrow(RangeError);
    expect(() => itemAt(['a'], -1)).toThrow(RangeError);
  });

  it('reads typed arrays too', () => {
    expect(itemAt(new Int32Array([7, 8]), 1)).toBe(8);
    expect(() => itemAt(new Uint8Array(2), 2)).toThrow(new RangeError('index 2 is outside a list of 2'));
  });
});
