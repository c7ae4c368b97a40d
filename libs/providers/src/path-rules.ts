import { AppError } from '@navplane/core';

/**
 * One allowlist entry: HTTP methods and a path pattern made of `/`-separated segments, where
 * `:id` matches one id-like segment and a final `**` matches one or more of them.
 * Example: `{ methods: ['GET', 'DELETE'], path: '/v1/responses/:id' }`.
 */
export interface PathRule {
  readonly methods: readonly string[];
  readonly path: string;
}

/** A compiled allowlist. */
export interface PathAllowlist {
  /** True when `method path` matches a rule (exact method, exact case, no trailing slash). */
  allows(method: string, path: string): boolean;
}

/** Segments a `**` may cover, so a crafted path cannot make matching expensive. */
const MAX_REST_SEGMENTS = 8;

// An id segment as SDKs send them: ids (`resp_…`, `file-…`), model names (`gpt-4.1`,
// `ft:gpt-4o-mini:org::id`), percent-escapes. Dot-segments are refused separately below.
const ID_SEGMENT = /^(?:[A-Za-z0-9_.~:@+=,-]|%[0-9A-Fa-f]{2})+$/;

/** True when a path segment is a safe id: no dot-segment, no (escaped) slash or backslash, no control bytes. */
export function isSafeIdSegment(segment: string): boolean {
  if (!ID_SEGMENT.test(segment)) return false;
  let decoded = segment;
  if (segment.includes('%')) {
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    // eslint-disable-next-line no-control-regex
    if (/[/\\\u0000-\u001f\u007f]/.test(decoded)) return false;
  }
  return decoded !== '.' && decoded !== '..';
}

interface TrieNode {
  readonly literals: Map<string, TrieNode>;
  param?: TrieNode;
  restMethods?: Set<string>;
  methods?: Set<string>;
}

function newNode(): TrieNode {
  return { literals: new Map() };
}

/** Compiles rules once (at start-up); throws AppError on a malformed rule (a bug). */
export function compilePathRules(rules: readonly PathRule[]): PathAllowlist {
  const exact = new Set<string>();
  const root = newNode();
  for (const rule of rules) {
    if (!rule.path.startsWith('/') || rule.path.endsWith('/')) {
      throw new AppError('internal_error', `path rule must start and not end with '/': ${rule.path}`);
    }
    const segments = rule.path.slice(1).split('/');
    const dynamic = segments.some((s) => s === ':id' || s === '**');
    if (!dynamic) {
      for (const method of rule.methods) exact.add(`${method} ${rule.path}`);
      continue;
    }
    let node = root;
    segments.forEach((segment, index) => {
      if (segment === '**') {
        if (index !== segments.length - 1) throw new AppError('internal_error', `'**' must be last: ${rule.path}`);
        node.restMethods ??= new Set();
        for (const method of rule.methods) node.restMethods.add(method);
        return;
      }
      let child = segment === ':id' ? node.param : node.literals.get(segment);
      if (!child) {
        child = newNode();
        if (segment === ':id') node.param = child;
        else node.literals.set(segment, child);
      }
      node = child;
      if (index === segments.length - 1) {
        node.methods ??= new Set();
        for (const method of rule.methods) node.methods.add(method);
      }
    });
  }

  function matches(node: TrieNode, segments: readonly string[], index: number, method: string): boolean {
    const segment = segments[index];
    if (segment === undefined) return node.methods?.has(method) ?? false; // every segment matched
    const literal = node.literals.get(segment);
    if (literal && matches(literal, segments, index + 1, method)) return true;
    if (node.param && isSafeIdSegment(segment) && matches(node.param, segments, index + 1, method)) return true;
    if (node.restMethods?.has(method)) {
      const rest = segments.length - index;
      if (rest > MAX_REST_SEGMENTS) return false;
      for (let k = index; k < segments.length; k++) {
        const restSegment = segments[k];
        if (restSegment === undefined || !isSafeIdSegment(restSegment)) return false;
      }
      return true;
    }
    return false;
  }

  return {
    allows(method: string, path: string): boolean {
      if (exact.has(`${method} ${path}`)) return true;
      if (path.length < 2 || path.charCodeAt(0) !== 0x2f) return false;
      return matches(root, path.slice(1).split('/'), 0, method);
    },
  };
}
