const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path segment of an object member: `.key` for identifier-like keys, else `["key"]`. */
export function memberSegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The path segment of an array element: `[3]`. */
export function indexSegment(index: number): string {
  return `[${index}]`;
}

/** Joins segments into a field path (`messages[1].content[0].text`); `$` for the document root. */
export function joinPath(segments: readonly string[]): string {
  if (segments.length === 0) return '$';
  const path = segments.join('');
  return path.startsWith('.') ? path.slice(1) : path;
}
