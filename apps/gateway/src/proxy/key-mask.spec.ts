import { createKeyMask, maskedKey, maskHeaders } from './key-mask';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';

describe('key mask', () => {
  it('masks all but the last four characters, keeping the length', () => {
    expect(maskedKey(KEY)).toHaveLength(KEY.length);
    expect(maskedKey(KEY).endsWith('0123')).toBe(true);
    expect(maskedKey(KEY)).not.toContain('abcdefgh');
    expect(maskedKey('short-key')).toBe('*********'); // too short to show any of it
  });

  it('masks every occurrence at every split position across chunks', () => {
    const body = Buffer.from(`{"a":"${KEY}","b":"x${KEY}${KEY}"}`);
    for (let cut = 0; cut <= body.length; cut += 1) {
      for (const second of [cut, Math.min(body.length, cut + 7)]) {
        const mask = createKeyMask(KEY);
        const out = Buffer.concat([
          mask.push(body.subarray(0, cut)),
          mask.push(body.subarray(cut, second)),
          mask.push(body.subarray(second)),
          mask.end(),
        ]);
        expect(out.toString()).toBe(body.toString().replaceAll(KEY, maskedKey(KEY)));
        expect(mask.masked).toBe(true);
      }
    }
  });

  it('passes other bytes through unchanged (multi-byte text split anywhere)', () => {
    const body = Buffer.from('héllo wörld – nothing secret here ✓');
    const mask = createKeyMask(KEY);
    const out = Buffer.concat([...[...body].map((byte) => mask.push(Buffer.from([byte]))), mask.end()]);
    expect(out.equals(body)).toBe(true);
    expect(mask.masked).toBe(false);
  });

  it('masks header values, lists included, and leaves others as they are', () => {
    const headers = { 'x-a': `Bearer ${KEY}`, 'set-cookie': ['a=1', `k=${KEY}`], 'x-b': 'plain' };
    expect(maskHeaders(headers, KEY)).toEqual({
      'x-a': `Bearer ${maskedKey(KEY)}`,
      'set-cookie': ['a=1', `k=${maskedKey(KEY)}`],
      'x-b': 'plain',
    });
    const clean = { 'x-b': 'plain' };
    expect(maskHeaders(clean, KEY)).toBe(clean);
  });
});
