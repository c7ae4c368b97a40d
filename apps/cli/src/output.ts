/** Output formats every listing or report accepts. */
export type OutputFormat = 'table' | 'json';

/** The version of the JSON shapes the CLI prints; bumped only on breaking changes. */
export const JSON_SCHEMA_VERSION = 1;

/** A failure the CLI reports as one line on stderr with a non-zero exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Prints a JSON document (with `schemaVersion`) on stdout. */
export function printJson(document: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...document }, null, 2)}\n`);
}

/** Renders rows as an aligned text table with the given columns, in the given order. */
export function renderTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
