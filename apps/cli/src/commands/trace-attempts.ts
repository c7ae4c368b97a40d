import { renderTable } from '../output';

/** One upstream attempt of a routed request, as the trace stores it (docs/traces.md, "Attempts"). */
export interface AttemptRow {
  readonly attempt: number;
  readonly provider: string;
  readonly model: string;
  readonly key: string;
  readonly status: number | null;
  readonly failure: string | null;
  readonly latencyMs: number;
  readonly backoffMs: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** A trace's `attempts` JSON as rows (an empty list when the request was not routed or the value is not a list). */
export function attemptRows(attempts: unknown): AttemptRow[] {
  if (!Array.isArray(attempts)) return [];
  return attempts.map((entry: unknown, index) => {
    const a = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    return {
      attempt: index + 1,
      provider: text(a['provider']),
      model: text(a['model']),
      key: text(a['key']),
      status: numberOrNull(a['status']),
      failure: typeof a['failure'] === 'string' ? a['failure'] : null,
      latencyMs: numberOrNull(a['latencyMs']) ?? 0,
      backoffMs: numberOrNull(a['backoffMs']) ?? 0,
    };
  });
}

/** One line per attempt: `openai/gpt-4.1 (default) connection_refused 2ms → azure-openai/gpt-4.1 (eu) 200 310ms`. */
export function attemptsSummary(attempts: unknown): string | null {
  const rows = attemptRows(attempts);
  if (rows.length === 0) return null;
  return rows
    .map((row) => {
      const outcome = row.failure ?? String(row.status ?? '');
      const wait = row.backoffMs > 0 ? ` after ${row.backoffMs}ms` : '';
      return `${row.provider}/${row.model} (${row.key}) ${outcome} ${Math.round(row.latencyMs)}ms${wait}`;
    })
    .join(' → ');
}

/** The attempts as a table, for `trace show`. */
export function renderAttempts(attempts: unknown): string | undefined {
  const rows = attemptRows(attempts);
  if (rows.length === 0) return undefined;
  return renderTable(['attempt', 'provider', 'model', 'key', 'status', 'failure', 'latencyMs', 'backoffMs'] as const, rows);
}
