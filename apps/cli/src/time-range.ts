import { CliError } from './output';

const RELATIVE = /^(\d+)\s*(m|h|d|w)$/;
const DAY_MS = 86_400_000;
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', DAY_MS],
  ['w', 7 * DAY_MS],
]);

/**
 * Parses an instant given on the command line: `now`, an ISO-8601 date or date-time (a date alone is
 * midnight UTC), or a duration ago (`30m`, `24h`, `7d`, `2w`). Throws a usage CliError (exit 2) otherwise.
 */
export function parseInstant(text: string, option: string, nowMs: number): number {
  const value = text.trim();
  if (value === 'now') return nowMs;
  const [, amount, unit = ''] = RELATIVE.exec(value) ?? [];
  const unitMs = UNIT_MS.get(unit);
  if (amount !== undefined && unitMs !== undefined) return nowMs - Number(amount) * unitMs;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new CliError(`${option}: expected an ISO-8601 time, \`now\` or a duration ago like 24h or 7d`, 2);
}

/** A half-open time window [from, to) as ISO-8601 UTC text (the traces' started_at format). */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

/** The window from `--from`/`--to` (defaults: the last 24 hours up to now); exit 2 when empty or inverted. */
export function resolveTimeRange(options: { from?: string; to?: string }, nowMs: number): TimeRange {
  const toMs = options.to === undefined ? nowMs : parseInstant(options.to, '--to', nowMs);
  const fromMs = options.from === undefined ? toMs - DAY_MS : parseInstant(options.from, '--from', nowMs);
  if (!(fromMs < toMs)) throw new CliError('--from must be earlier than --to', 2);
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}
