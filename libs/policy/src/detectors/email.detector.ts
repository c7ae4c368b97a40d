import { candidateRank, PLAIN_CONTEXT, type Candidate, type DetectorContext } from './candidate';
import { codePointAt } from '../text/code-point-at';

// Emails are found from each `@` outwards with bounded character scans (no regex backtracking):
// local part up to 64 characters to the left, domain up to 253 to the right.

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const RANK = candidateRank('email', 'email');

/** Scripts written without spaces: their letters next to an address are words, not part of it. */
const SPACELESS_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Top-level "domains" that are file extensions, not mail domains: `icon@2x.png`, `logo@3x.webp`.
 * (Real TLDs such as .py or .md are not listed.)
 */
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'ico',
  'bmp',
  'tif',
  'tiff',
  'avif',
  'heic',
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'css',
  'scss',
  'less',
  'json',
  'yaml',
  'yml',
  'txt',
  'pdf',
  'html',
  'htm',
  'xml',
  'csv',
  'lock',
  'log',
  'gz',
  'tgz',
  'tar',
  'map',
  'wasm',
  'woff',
  'woff2',
]);

function isNonAsciiAddressChar(text: string, index: number): boolean {
  const char = String.fromCodePoint(codePointAt(text, index));
  return LETTER_OR_DIGIT.test(char) && !SPACELESS_SCRIPT.test(char);
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isLocalChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (isAsciiAlnum(code) || code === 0x2e || code === 0x5f || code === 0x2b || code === 0x2d) return true;
  if (code >= 0xdc00 && code <= 0xdfff) return false;
  return code >= 0x80 && isNonAsciiAddressChar(text, index);
}

function isDomainChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (isAsciiAlnum(code) || code === 0x2e || code === 0x2d) return true;
  return code >= 0x80 && !(code >= 0xdc00 && code <= 0xdfff) && isNonAsciiAddressChar(text, index);
}

/** The length of the valid domain at the start of `domain` (whole labels only), or 0. */
function validDomainLength(domain: string): number {
  const labels = domain.split('.');
  let length = 0;
  let valid = 0;
  let count = 0;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) break;
    length += (count === 0 ? 0 : 1) + label.length;
    count++;
    if (count >= 2 && isTopLevel(label)) valid = length;
  }
  return valid;
}

function isTopLevel(label: string): boolean {
  if (/^xn--[a-z0-9-]{2,59}$/i.test(label)) return true;
  if (label.length < 2 || !/^[\p{L}]+$/u.test(label)) return false;
  return !FILE_EXTENSIONS.has(label.toLowerCase());
}

/** Appends email candidates found in `text` (a normalised view). */
export function scanEmails(text: string, out: Candidate[], context: DetectorContext = PLAIN_CONTEXT): void {
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    context.deadline.spend(MAX_LOCAL);
    let start = at;
    const localLimit = Math.max(lastEnd, at - MAX_LOCAL);
    while (start > localLimit && isLocalChar(text, start - 1)) start--;
    while (start < at && text.charCodeAt(start) === 0x2e) start++; // a local part does not start with '.'
    if (start === at) continue;
    let end = at + 1;
    const domainLimit = Math.min(text.length, at + 1 + MAX_DOMAIN);
    while (end < domainLimit && isDomainChar(text, end)) end++;
    const domainLength = validDomainLength(text.slice(at + 1, end).replace(/[.-]+$/, ''));
    if (domainLength === 0) continue;
    end = at + 1 + domainLength;
    const local = text.slice(start, at);
    // scp-style git remotes (`git@github.com:org/repo.git`) are host names, not mailboxes.
    if (local === 'git' && text.charCodeAt(end) === 0x3a) continue;
    out.push({
      start,
      end,
      detector: 'email',
      kind: 'email',
      canonical: text.slice(start, end).toLowerCase(),
      rank: RANK,
    });
    lastEnd = end;
    at = end - 1;
  }
}
