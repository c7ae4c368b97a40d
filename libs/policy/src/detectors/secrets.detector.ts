import { candidateRank, PLAIN_CONTEXT, type Candidate, type DetectorContext, type SecretKind } from './candidate';
import { findPrivateKeyBlocks, privateKeyCanonical } from './private-key';

// Provider and platform credentials, each anchored on its fixed prefix, so a pass over text without any
// prefix costs one prefilter test. Token bodies use single greedy character classes: linear, no backtracking.
// A prefix must start a token (a look-behind), except at the token starts a caller marks (the starts of
// joined JSON parts), where each pattern is also tried without its look-behind.

const PREFILTER = /sk-|np_|AKIA|ASIA|gh[pousr]_|github_pat_|[Bb][Ee][Aa][Rr][Ee][Rr]|-----BEGIN /;

interface Pattern {
  readonly kind: SecretKind;
  readonly regex: RegExp;
  /** The same pattern without its look-behind, matched at a marked token start. */
  readonly anchored: RegExp;
  /** Extra check on the whole match (e.g. a minimum of randomness). */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** Index of the capture group that is the secret (default: the whole match). */
  readonly group?: number;
}

const PATTERNS: readonly Pattern[] = [
  { kind: 'anthropic_key', regex: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g, anchored: /sk-ant-[A-Za-z0-9_-]{20,}/y },
  {
    kind: 'openai_key',
    regex: /(?<![A-Za-z0-9_-])sk-(?!ant-)[A-Za-z0-9_-]{20,}/g,
    anchored: /sk-(?!ant-)[A-Za-z0-9_-]{20,}/y,
    // `sk-learn-model-selection-guide` is prose: a key has an upper-case letter or a digit.
    accept: (match) => /[A-Z0-9]/.test(match[0].slice(3)),
  },
  {
    kind: 'navplane_key',
    regex: /(?<![A-Za-z0-9_])np_[A-Za-z0-9]{12}_[A-Za-z0-9]{20,}(?![A-Za-z0-9_])/g,
    anchored: /np_[A-Za-z0-9]{12}_[A-Za-z0-9]{20,}(?![A-Za-z0-9_])/y,
  },
  {
    kind: 'aws_access_key',
    regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    anchored: /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y,
  },
  {
    kind: 'github_token',
    regex: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])/g,
    anchored: /gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])/y,
  },
  { kind: 'github_token', regex: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g, anchored: /github_pat_[A-Za-z0-9_]{22,}/y },
  {
    kind: 'bearer_token',
    regex: /(?<![A-Za-z0-9_-])(bearer)[ \t]{1,16}([A-Za-z0-9\-._~+/]{16,}=*)/gi,
    anchored: /(bearer)[ \t]{1,16}([A-Za-z0-9\-._~+/]{16,}=*)/iy,
    group: 2,
    // The header spelling (`Bearer`, `BEARER`) takes any token; prose ("the bearer …") needs a digit and a letter.
    accept: (match) => {
      const [, word, token = ''] = match;
      return word === 'Bearer' || word === 'BEARER' || (/[0-9]/.test(token) && /[A-Za-z]/.test(token));
    },
  },
];

/** A candidate for `pattern`'s match. */
function candidateOf(pattern: Pattern, match: RegExpExecArray, offset: number, rank: number): Candidate {
  // A pattern's group takes part in every match it accepts; were it ever missing, the whole match is the (wider) secret.
  const secret = pattern.group === undefined ? match[0] : (match[pattern.group] ?? match[0]);
  const end = offset + match.index + match[0].length;
  const start = pattern.group === undefined ? offset + match.index : end - secret.length;
  return { start, end, detector: 'secrets', kind: pattern.kind, canonical: secret, rank };
}

/**
 * Appends `pattern`'s matches at the context's token starts that its look-behind ruled out. Linear: a start
 * inside a span already matched (accepted or not) is skipped, since each token's character class holds its
 * prefix's characters, so a later start there could only read a suffix of that match, which fails its
 * checks the same way (too short, no digit or upper-case letter) or is already covered; and where a match
 * fails outright, the next possible prefix lies past the run it read (the prefixes hold `_`, `-` or a space
 * that the runs after them cannot).
 */
function scanTokenStarts(
  pattern: Pattern,
  text: string,
  found: readonly Candidate[],
  rank: number,
  context: DetectorContext,
  out: Candidate[],
): void {
  const starts = context.tokenStarts;
  if (starts === undefined) return;
  const regex = pattern.anchored;
  let p = 0;
  let coveredTo = 0;
  for (let at = starts.indexOf(1, 1); at >= 0 && at < text.length; at = starts.indexOf(1, at + 1)) {
    context.deadline.spend(16);
    if (at < coveredTo) continue;
    let next = found[p];
    while (next !== undefined && next.end <= at) next = found[++p];
    if (next !== undefined && next.start <= at) {
      coveredTo = next.end;
      continue;
    }
    regex.lastIndex = at;
    const match = regex.exec(text);
    if (match === null) continue;
    context.deadline.spend(match[0].length);
    coveredTo = at + match[0].length;
    if (pattern.accept !== undefined && !pattern.accept(match)) continue;
    out.push(candidateOf(pattern, match, 0, rank));
  }
}

/** Appends secret candidates found in `text` (a normalised view). */
export function scanSecrets(text: string, out: Candidate[], context: DetectorContext = PLAIN_CONTEXT): void {
  if (!PREFILTER.test(text)) return;
  for (const block of findPrivateKeyBlocks(text, context.deadline)) {
    out.push({
      start: block.start,
      end: block.end,
      detector: 'secrets',
      kind: 'private_key',
      canonical: privateKeyCanonical(text.slice(block.start, block.end)),
      rank: candidateRank('secrets', 'private_key'),
    });
  }
  for (const pattern of PATTERNS) {
    const rank = candidateRank('secrets', pattern.kind);
    const found: Candidate[] = [];
    pattern.regex.lastIndex = 0;
    for (let match = pattern.regex.exec(text); match !== null; match = pattern.regex.exec(text)) {
      context.deadline.spend(match[0].length);
      if (pattern.accept !== undefined && !pattern.accept(match)) continue;
      found.push(candidateOf(pattern, match, 0, rank));
    }
    for (const candidate of found) out.push(candidate);
    scanTokenStarts(pattern, text, found, rank, context, out);
  }
}
