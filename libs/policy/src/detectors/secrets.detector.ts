import { candidateRank, type Candidate, type SecretKind } from './candidate';
import { findPrivateKeyBlocks, privateKeyCanonical } from './private-key';

// Provider and platform credentials, each anchored on its fixed prefix, so a pass over text without any
// prefix costs one prefilter test. Token bodies use single greedy character classes: linear, no backtracking.

const PREFILTER = /sk-|np_|AKIA|ASIA|gh[pousr]_|github_pat_|[Bb][Ee][Aa][Rr][Ee][Rr]|-----BEGIN /;

interface Pattern {
  readonly kind: SecretKind;
  readonly regex: RegExp;
  /** Extra check on the whole match (e.g. a minimum of randomness). */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** Index of the capture group that is the secret (default: the whole match). */
  readonly group?: number;
}

const PATTERNS: readonly Pattern[] = [
  { kind: 'anthropic_key', regex: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'openai_key',
    regex: /(?<![A-Za-z0-9_-])sk-(?!ant-)[A-Za-z0-9_-]{20,}/g,
    // `sk-learn-model-selection-guide` is prose: a key has an upper-case letter or a digit.
    accept: (match) => /[A-Z0-9]/.test(match[0].slice(3)),
  },
  { kind: 'navplane_key', regex: /(?<![A-Za-z0-9_])np_[A-Za-z0-9]{12}_[A-Za-z0-9]{20,}(?![A-Za-z0-9_])/g },
  { kind: 'aws_access_key', regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { kind: 'github_token', regex: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])/g },
  { kind: 'github_token', regex: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g },
  {
    kind: 'bearer_token',
    regex: /(?<![A-Za-z0-9_-])(bearer)[ \t]{1,16}([A-Za-z0-9\-._~+/]{16,}=*)/gi,
    group: 2,
    // The header spelling (`Bearer`, `BEARER`) takes any token; prose ("the bearer …") needs a digit and a letter.
    accept: (match) => {
      const word = match[1] as string;
      const token = match[2] as string;
      return word === 'Bearer' || word === 'BEARER' || (/[0-9]/.test(token) && /[A-Za-z]/.test(token));
    },
  },
];

/** Appends secret candidates found in `text` (a normalised view). */
export function scanSecrets(text: string, out: Candidate[]): void {
  if (!PREFILTER.test(text)) return;
  for (const block of findPrivateKeyBlocks(text)) {
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
    pattern.regex.lastIndex = 0;
    for (let match = pattern.regex.exec(text); match !== null; match = pattern.regex.exec(text)) {
      if (pattern.accept !== undefined && !pattern.accept(match)) continue;
      const secret = pattern.group === undefined ? match[0] : (match[pattern.group] as string);
      const end = match.index + match[0].length;
      const start = pattern.group === undefined ? match.index : end - secret.length;
      out.push({ start, end, detector: 'secrets', kind: pattern.kind, canonical: secret, rank });
    }
  }
}
