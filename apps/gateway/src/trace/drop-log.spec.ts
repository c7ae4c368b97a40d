import { afterEach, beforeEach, expect, jest } from '@jest/globals';
import { createDropLog } from './drop-log';

describe('createDropLog', () => {
  let lines: Array<[string, Record<string, unknown>]>;
  const logger = { warn: (message: string, meta: Record<string, unknown>) => void lines.push([message, meta]) };

  beforeEach(() => {
    lines = [];
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('logs the first full-queue drop at once and sums the ones that follow into one line per window', () => {
    const log = createDropLog(logger, { intervalMs: 1000 });
    for (let i = 0; i < 5000; i++) log.onDrop('queue_full', 1);
    expect(lines).toEqual([['traces dropped', { reason: 'queue_full', count: 1 }]]);
    jest.advanceTimersByTime(1000);
    expect(lines[1]).toEqual(['traces dropped', { reason: 'queue_full', count: 4999, windowMs: 1000 }]);
    for (let i = 0; i < 7; i++) log.onDrop('queue_full', 1);
    jest.advanceTimersByTime(1000);
    expect(lines[2]).toEqual(['traces dropped', { reason: 'queue_full', count: 7, windowMs: 1000 }]);
    // A quiet window: nothing logged, and the next drop is logged at once again.
    jest.advanceTimersByTime(5000);
    expect(lines).toHaveLength(3);
    log.onDrop('queue_full', 2);
    expect(lines[3]).toEqual(['traces dropped', { reason: 'queue_full', count: 2 }]);
    expect(jest.getTimerCount()).toBe(1);
    log.flush();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('logs every write_failed and shutdown drop with its error as it happens', () => {
    const log = createDropLog(logger, { intervalMs: 1000 });
    const error = new Error('constraint failed');
    log.onDrop('queue_full', 1);
    log.onDrop('write_failed', 200, error);
    log.onDrop('write_failed', 200, error);
    log.onDrop('shutdown', 3);
    expect(lines).toEqual([
      ['traces dropped', { reason: 'queue_full', count: 1 }],
      ['traces dropped', { reason: 'write_failed', count: 200, err: error }],
      ['traces dropped', { reason: 'write_failed', count: 200, err: error }],
      ['traces dropped', { reason: 'shutdown', count: 3, err: undefined }],
    ]);
  });

  it('keeps logging after a logger that threw', () => {
    let throwing = false;
    const log = createDropLog(
      {
        warn: (message, meta) => {
          lines.push([message, meta]);
          if (throwing) throw new Error('stdout closed');
        },
      },
      { intervalMs: 1000 },
    );
    log.onDrop('queue_full', 1);
    log.onDrop('queue_full', 5);
    throwing = true;
    // The window's line throws (in the timer): the window is over all the same.
    expect(() => jest.advanceTimersByTime(1000)).toThrow('stdout closed');
    expect(jest.getTimerCount()).toBe(0);
    throwing = false;
    log.onDrop('queue_full', 3);
    expect(lines.at(-1)).toEqual(['traces dropped', { reason: 'queue_full', count: 3 }]);
    log.onDrop('queue_full', 2);
    jest.advanceTimersByTime(1000);
    expect(lines.at(-1)).toEqual(['traces dropped', { reason: 'queue_full', count: 2, windowMs: 1000 }]);
  });

  it('logs what it held back when flushed at shutdown', () => {
    const log = createDropLog(logger, { intervalMs: 10_000 });
    for (let i = 0; i < 42; i++) log.onDrop('queue_full', 1);
    log.flush();
    expect(lines).toEqual([
      ['traces dropped', { reason: 'queue_full', count: 1 }],
      ['traces dropped', { reason: 'queue_full', count: 41, windowMs: 10_000 }],
    ]);
    log.flush();
    expect(lines).toHaveLength(2);
  });
});
