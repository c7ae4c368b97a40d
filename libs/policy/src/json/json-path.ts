const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Where a value sits, built incrementally as the walk descends: each node adds one step to its parent's
 * path. Nodes are shared, so recording where a value sits costs O(1); the path string is only built
 * (pathOf, O(depth)) for values that were found.
 */
export interface PathNode {
  readonly parent: PathNode | undefined;
  /** A member segment (`.key` or `["key"]`, see memberSegment) or an array index. */
  readonly step: string | number;
}

/** The path segment of an object member: `.key` for identifier-like keys, else `["key"]`. */
export function memberSegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The field path of `node` (`messages[1].content[0].text`); `$` for the document root (undefined). */
export function pathOf(node: PathNode | undefined): string {
  if (node === undefined) return '$';
  const steps: string[] = [];
  for (let at: PathNode | undefined = node; at !== undefined; at = at.parent) {
    steps.push(typeof at.step === 'number' ? `[${at.step}]` : at.step);
  }
  const path = steps.reverse().join('');
  return path.startsWith('.') ? path.slice(1) : path;
}
