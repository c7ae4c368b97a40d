import { expect } from '@jest/globals';
import { parseInstant, resolveTimeRange } from './time-range';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');

describe('time ranges', () => {
  it('defaults to the last 24 hours', () => {
    expect(resolveTimeRange({}, NOW)).toEqual({ from: '2026-06-14T12:00:00.000Z', to: '2026-06-15T12:00:00.000Z' });
  });

  it('accepts ISO dates and times, now, and durations ago', () => {
    expect(parseInstant('2026-06-01', '--from', NOW)).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(parseInstant('2026-06-01T10:00:00+02:00', '--from', NOW)).toBe(Date.parse('2026-06-01T08:00:00Z'));
    expect(parseInstant('now', '--to', NOW)).toBe(NOW);
    expect(parseInstant('30m', '--from', NOW)).toBe(NOW - 30 * 60_000);
    expect(parseInstant('7d', '--from', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseInstant('2w', '--from', NOW)).toBe(NOW - 14 * 86_400_000);
  });

  it('rejects anything else and empty windows as usage errors', () => {
    expect(() => parseInstant('last tuesday', '--from', NOW)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseInstant('2026-13-45', '--from', NOW)).toThrow(/--from/);
    expect(() => resolveTimeRange({ from: '1h', to: '2h' }, NOW)).toThrow(/earlier/);
  });
});
