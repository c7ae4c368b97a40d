import type { BudgetPeriod } from '../limit-document';

/** One budget period in UTC: its start as `YYYY-MM-DD` (the day, or the month's first day) and when it ends. */
export interface PeriodWindow {
  readonly period: BudgetPeriod;
  readonly start: string;
  /** The next period's start, ms since the epoch (exclusive end of this one). */
  readonly endMs: number;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The period of `period` kind holding the instant `nowMs`: the UTC day, or the UTC calendar month. */
export function periodWindow(period: BudgetPeriod, nowMs: number): PeriodWindow {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'day') {
    const day = now.getUTCDate();
    return { period, start: `${year}-${pad(month + 1)}-${pad(day)}`, endMs: Date.UTC(year, month, day + 1) };
  }
  return { period, start: `${year}-${pad(month + 1)}-01`, endMs: Date.UTC(year, month + 1, 1) };
}
