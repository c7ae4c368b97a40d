import { createLastUsedBatcher } from './last-used-batcher';

describe('createLastUsedBatcher', () => {
  it('writes each id once per flush, with its latest use, and counts failures without throwing', async () => {
    const writes: Array<[string, string]> = [];
    const batcher = createLastUsedBatcher({
      touch: (id, at) => {
        if (id === 'broken') return Promise.reject(new Error('db down'));
        writes.push([id, at]);
        return Promise.resolve();
      },
      intervalMs: 60_000,
      maxPending: 10,
    });
    batcher.record('a', Date.UTC(2026, 0, 1, 0, 0, 1));
    batcher.record('a', Date.UTC(2026, 0, 1, 0, 0, 3));
    batcher.record('a', Date.UTC(2026, 0, 1, 0, 0, 2));
    batcher.record('broken', 0);
    expect(writes).toEqual([]); // nothing written on the recording path
    await batcher.flush();
    expect(writes).toEqual([['a', '2026-01-01T00:00:03.000Z']]);
    expect(batcher.failures).toBe(1);
    await batcher.flush();
    expect(writes).toHaveLength(1);
    await batcher.close();
  });

  it('flushes on its own after the interval, and bounds what it holds', async () => {
    const writes: string[] = [];
    const batcher = createLastUsedBatcher({ touch: (id) => (writes.push(id), Promise.resolve()), intervalMs: 20, maxPending: 2 });
    batcher.record('a', 1);
    batcher.record('b', 1);
    batcher.record('c', 1); // over maxPending: dropped and counted
    expect(batcher.failures).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes.sort()).toEqual(['a', 'b']);
    await batcher.close();
    batcher.record('d', 1);
    await batcher.flush();
    expect(writes).not.toContain('d');
  });
});
