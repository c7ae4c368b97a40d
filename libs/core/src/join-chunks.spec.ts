import { joinChunks } from './join-chunks';

describe('joinChunks', () => {
  it('answers a single chunk itself, without copying it', () => {
    const only = Buffer.from('{"model":"gpt-4o"}');
    expect(joinChunks([only])).toBe(only);
  });

  it('joins several chunks in order', () => {
    const joined = joinChunks([Buffer.from('ab'), Buffer.from('c'), Buffer.from('def')]);
    expect(joined.toString()).toBe('abcdef');
    expect(joinChunks([Buffer.from('ab'), Buffer.from('cd')], 4).toString()).toBe('abcd');
  });

  it('answers an empty Buffer for no chunks', () => {
    expect(joinChunks([])).toEqual(Buffer.alloc(0));
  });
});
