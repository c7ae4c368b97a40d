import type { ScopeState, WindowState } from './counter-store';

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's duration format): `20ms` under a second, else hours,
 * minutes and seconds with up to three decimals (`1s`, `59.5s`, `6m0s`, `1h0m0s`).
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = `${Number(((whole % 60_000) / 1000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

/** The strictest window: the least left, then the lowest limit. */
function strictest(windows: readonly WindowState[]): WindowState | undefined {
  let found: WindowState | undefined;
  for (const window of windows) {
    if (found === undefined || window.remaining < found.remaining || (window.remaining === found.remaining && window.limit < found.limit)) {
      found = window;
    }
  }
  return found;
}

/**
 * OpenAI's rate-limit headers of an admitted request (docs/limits.md, "Counting"): `x-ratelimit-*-requests` from the
 * strictest scope with an rpm, `x-ratelimit-*-tokens` from the strictest with a tpm; none when no scope has either.
 */
export function rateLimitHeaders(scopes: readonly ScopeState[]): Record<string, string> {
  const out: Record<string, string> = {};
  const requests = strictest(scopes.flatMap((scope) => (scope.requests === undefined ? [] : [scope.requests])));
  if (requests !== undefined) {
    out['x-ratelimit-limit-requests'] = String(requests.limit);
    out['x-ratelimit-remaining-requests'] = String(requests.remaining);
    out['x-ratelimit-reset-requests'] = formatResetDuration(requests.resetMs);
  }
  const tokens = strictest(scopes.flatMap((scope) => (scope.tokens === undefined ? [] : [scope.tokens])));
  if (tokens !== undefined) {
    out['x-ratelimit-limit-tokens'] = String(tokens.limit);
    out['x-ratelimit-remaining-tokens'] = String(tokens.remaining);
    out['x-ratelimit-reset-tokens'] = formatResetDuration(tokens.resetMs);
  }
  return out;
}
