// Builders of raw SSE streams for the assembler specs (not built into dist).

/** One SSE event: its `event:` name (or none) and its data (a string as is, anything else as JSON). */
export type Ev = readonly [event: string | undefined, data: unknown];

/** The wire bytes of `events`, with `eol` line endings (`\n`, `\r\n` or `\r`). */
export function sse(events: readonly Ev[], eol = '\n'): Buffer {
  const text = events
    .map(([event, data]) => {
      const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}`;
      return `${event === undefined ? '' : `event: ${event}${eol}`}${line}${eol}`;
    })
    .join('');
  return Buffer.from(text, 'utf8');
}

/** A named event whose data repeats the name as `type` (Anthropic and Responses API style). */
export const named = (type: string, fields: object): Ev => [type, { type, ...fields }];
