// Patterns for secrets inside free text. Each mask keeps a short hint of what was there (`sk-***`,
// `Bearer ***`) and none of the secret's own characters. Order matters: specific before generic,
// and `Bearer <token>` before the key=value rule (which would otherwise eat just the word Bearer).

const AWS_PREFIXES = 'AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA';

/** The hint a masked secret keeps: its well-known prefix (`np_`, `sk-ant-`, `Bearer `) plus `***`. */
export function maskSecretValue(value: string): string {
  const text = value.trim();
  const scheme = /^(Bearer|Basic|Token)\s/i.exec(text)?.[1];
  if (scheme !== undefined) return `${scheme} ***`;
  for (const prefix of ['sk-ant-', 'sk-proj-', 'sk-', 'np_']) {
    if (text.startsWith(prefix)) return `${prefix}***`;
  }
  const aws = new RegExp(`^(${AWS_PREFIXES})`).exec(text)?.[1];
  return aws === undefined ? '***' : `${aws}***`;
}

const KEY_VALUE_NAMES = [
  'password',
  'passwd',
  'secret',
  'client[_-]?secret',
  'x-api-key',
  'api[_-]?key',
  'access[_-]?token',
  'refresh[_-]?token',
  'id[_-]?token',
  'token',
  'master[_-]?key',
  'admin[_-]?token',
  'x-navplane-key',
].join('|');

type Rule = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)];

const RULES: readonly Rule[] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[PRIVATE KEY ***]'],
  // scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*:)[^\s/"'<>]+@/gi, '$1***@'],
  // Cookie / Set-Cookie header lines: every pair after the colon is a credential.
  [/(["'](?:set-)?cookie["']\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'[^']*')/gi, '$1"***"'],
  [/\b((?:set-)?cookie\s*:\s*)[^\r\n]+/gi, '$1***'],
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 ***'],
  [/\b(authorization["']?\s*[:=]\s*["']?Basic)\s+[A-Za-z0-9+/]+=*/gi, '$1 ***'],
  [/(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]+/g, 'sk-ant-***'],
  [/(?<![A-Za-z0-9])sk-proj-[A-Za-z0-9_-]+/g, 'sk-proj-***'],
  [/(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{8,}/g, 'sk-***'],
  [/(?<![A-Za-z0-9])np_[A-Za-z0-9_-]{8,}/g, 'np_***'],
  [new RegExp(`(?<![A-Za-z0-9])(${AWS_PREFIXES})[A-Z0-9]{16}(?![A-Za-z0-9])`, 'g'), '$1***'],
  // JSON Web Tokens (header.payload.signature), e.g. session cookies or OIDC tokens.
  [/(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, 'eyJ***'],
  // password=…, "api_key": "…", token: … (query strings, JSON text, config dumps).
  [
    new RegExp(`(?<![A-Za-z0-9])((?:${KEY_VALUE_NAMES})["']?\\s*[:=]\\s*["']?)([^\\s"'&,;}]+)`, 'gi'),
    (_match, lead = '', value = '') =>
      /^(bearer|basic|token)$/i.test(value) || value.endsWith('***') ? `${lead}${value}` : `${lead}${maskSecretValue(value)}`,
  ],
];

/**
 * Masks every secret-shaped substring of `text`: `np_…` keys, `sk-…`/`sk-proj-…`/`sk-ant-…` keys,
 * `Bearer <token>`, AWS access key ids, JWTs, private-key blocks, URL passwords, cookie headers and
 * `password=…`-style pairs. Other text is returned unchanged.
 */
export function scrubString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement as string);
  }
  return out;
}
