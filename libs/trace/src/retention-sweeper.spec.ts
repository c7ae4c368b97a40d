import { ManualClock } from '@navplane/core';
import type { DeleteOlderThanOptions } from '@navplane/storage';
import { createRetentionSweeper } from './retention-sweeper';

describe('retention sweeper', () => {
  it('deletes what is older than the retention period, traces and forks, and reports it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
    const calls: Array<[string, string, DeleteOlderThanOptions | number | undefined]> = [];
    const swept: unknown[] = [];
    const sweeper = createRetentionSweeper({
      traces: { deleteOlderThan: (cutoff, options) => (calls.push(['traces', cutoff, options]), Promise.resolve(7)) },
      traceForks: { deleteOlderThan: (cutoff, batch) => (calls.push(['forks', cutoff, batch]), Promise.resolve(2)) },
      retentionDays: 30,
      intervalMs: 3_600_000, // sweep() is called directly below
      batchSize: 250,
      pauseMs: 3,
      clock,
      onSwept: (result) => swept.push(result),
    });
    const result = await sweeper.sweep();
    expect(result).toMatchObject({ cutoff: '2026-10-24T12:00:00.000Z', traces: 7, forks: 2 });
    expect(calls[0]).toEqual(['traces', '2026-10-24T12:00:00.000Z', expect.objectContaining({ batchSize: 250, pauseMs: 3 })]);
    expect(calls[1]).toEqual(['forks', '2026-10-24T12:00:00.000Z', 250]);
    expect(swept).toEqual([result]);
  });

  it('runs on its interval, reports failures, and stops a running sweep between batches on close', async () => {
    let stopSeen = false;
    let release: () => void = () => undefined;
    let runs = 0;
    const errors: unknown[] = [];
    const sweeper = createRetentionSweeper({
      traces: {
        async deleteOlderThan(_cutoff, options) {
          runs += 1;
          if (runs === 1) throw new Error('database is locked');
          await new Promise<void>((resolve) => (release = resolve));
          stopSeen = options?.shouldStop?.() ?? false;
          return 0;
        },
      },
      retentionDays: 1,
      intervalMs: 5,
      onError: (error) => errors.push(error),
    });
    sweeper.start();
    while (runs < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(errors).toHaveLength(1);
    const closing = sweeper.close();
    release();
    await closing;
    expect(stopSeen).toBe(true);
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(after); // no sweep after close
  });

  it('refuses a retention of 0 days (0 means: keep forever, create no sweeper)', () => {
    expect(() =>
      createRetentionSweeper({ traces: { deleteOlderThan: () => Promise.resolve(0) }, retentionDays: 0, intervalMs: 1000 }),
    ).toThrow(/retentionDays/);
  });
});
