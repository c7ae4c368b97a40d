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

/** Renders rows as an aligned text table of the given columns (keys of the rows), in the given order. */
export function renderTable<Row extends object, Column extends keyof Row & string>(
  columns: readonly Column[],
  rows: readonly Row[],
): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.map(formatCell).join(',');
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      // Objects; a function or a symbol (never in a row) has no JSON and shows as missing.
      return JSON.stringify(value) ?? '-';
  }
}
