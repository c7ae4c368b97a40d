import type { DiagnosticsReport } from '@navplane/runtime';
import type { DoctorCheck } from './doctor-checks';
import { maskCredentials } from './describe-error';

const FETCH_TIMEOUT_MS = 5000;

/** Trace queue pressure from which doctor warns (the queue is this full). */
const PRESSURE_WARNING = 0.8;

/** What `doctor --admin-url` read: the `diagnostics` check and, when the admin API answered, its report. */
export interface DiagnosticsRead {
  readonly check: DoctorCheck;
  readonly report: DiagnosticsReport | null;
}

const isReport = (value: unknown): value is DiagnosticsReport =>
  typeof value === 'object' &&
  value !== null &&
  (value as { schemaVersion?: unknown }).schemaVersion === 1 &&
  typeof (value as { process?: unknown }).process === 'object';

/**
 * Reads `GET <adminUrl>/admin/diagnostics` with a platform-admin token and judges it: fail when it cannot be read or
 * the process's database is unreachable, warn on dropped traces, a nearly full trace queue, open circuit breakers,
 * pending migrations or change-feed trouble. Never throws; the token is never part of a message.
 */
export async function readDiagnostics(adminUrl: string, token: string | undefined): Promise<DiagnosticsRead> {
  const base = adminUrl.replace(/\/+$/, '');
  const shown = maskCredentials(base);
  const failed = (message: string, fix: string): DiagnosticsRead => ({
    check: { name: 'diagnostics', status: 'fail', message, fix },
    report: null,
  });
  if (token === undefined) {
    return failed(
      `no admin token to call ${shown}/admin/diagnostics`,
      'set NAVPLANE_ADMIN_TOKEN, or pipe a platform-admin token (`navplane admin-token create`) with --admin-token-stdin',
    );
  }
  let response: Response;
  try {
    response = await fetch(`${base}/admin/diagnostics`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    return failed(
      `no admin API reachable at ${shown}`,
      'check --admin-url (the admin port, NAVPLANE_ADMIN_PORT) and that the process runs',
    );
  }
  if (response.status === 401 || response.status === 403) {
    return failed(
      `${shown} refused the token (${response.status})`,
      'pass a platform-admin token (NAVPLANE_ADMIN_TOKEN or a stored `npa_…` token on stdin with --admin-token-stdin); org keys cannot read diagnostics',
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok || !isReport(body)) {
    return failed(
      `${shown}/admin/diagnostics answered ${response.status} without a diagnostics report`,
      'check --admin-url points at a NavPlane admin API',
    );
  }
  return { check: judge(shown, body), report: body };
}

function judge(shown: string, report: DiagnosticsReport): DoctorCheck {
  const { process: proc, database, changeFeed, gateway } = report;
  const who = `${shown}: pid ${proc.pid} on ${proc.hostname} (${proc.apps.join(' and ') || 'no app'}, ${proc.version}, up ${proc.uptimeSeconds} s)`;
  if (!database.reachable) {
    return {
      name: 'diagnostics',
      status: 'fail',
      message: `${who}: its ${database.dialect} database is unreachable (${database.error ?? 'error'})`,
      fix: 'see docs/runbooks/database-outage.md',
    };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (database.migrations !== null && !database.migrations.current) {
    problems.push(`${database.migrations.pending.length} migration(s) pending`);
    fixes.push('run `npx navplane migrate`');
  }
  if (changeFeed.errors > 0 || changeFeed.resyncs > 0) {
    problems.push(`change feed: ${changeFeed.errors} error(s), ${changeFeed.resyncs} resync(s)`);
    fixes.push('look for `change feed error` in its log');
  }
  if (gateway !== null) {
    const { traces, circuitBreakers } = gateway;
    if (traces.droppedTotal > 0) {
      const reasons = Object.entries(traces.dropped)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${reason}: ${n}`)
        .join(', ');
      problems.push(`${traces.droppedTotal} trace(s) dropped (${reasons})`);
      fixes.push('see docs/runbooks/dropped-traces.md');
    }
    if (traces.pressure >= PRESSURE_WARNING) {
      problems.push(`trace queue ${traces.queueDepth}/${traces.queueCapacity} full`);
      if (traces.droppedTotal === 0) fixes.push('see docs/runbooks/dropped-traces.md');
    }
    if (circuitBreakers.open + circuitBreakers.halfOpen > 0) {
      problems.push(`${circuitBreakers.open} open and ${circuitBreakers.halfOpen} half-open circuit breaker(s)`);
      fixes.push('see docs/routing.md, "Circuit breakers"');
    }
  }
  const scope = gateway === null ? '; no gateway in that process' : '';
  if (problems.length > 0) {
    return { name: 'diagnostics', status: 'warn', message: `${who}${scope}: ${problems.join('; ')}`, fix: fixes.join('; ') };
  }
  return { name: 'diagnostics', status: 'ok', message: `${who}${scope}: nothing to report`, fix: null };
}

const scalar = (value: unknown): string => (value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The report as `field  value` lines under the report's own field names (`gateway.traces.dropped.queue_full  3`); an
 * array of objects gives one line per item (`caches[2]  cache=keys size=4 …`).
 */
export function formatDiagnostics(report: DiagnosticsReport): string[] {
  const rows: Array<[string, string]> = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      if (value.length === 0) rows.push([path, '[]']);
      value.forEach((item: unknown, index) => {
        if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
          rows.push([
            `${path}[${index}]`,
            Object.entries(item)
              .map(([key, field]) => `${key}=${scalar(field)}`)
              .join(' '),
          ]);
        } else rows.push([`${path}[${index}]`, scalar(item)]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, field] of Object.entries(value)) walk(field, path === '' ? key : `${path}.${key}`);
    } else rows.push([path, scalar(value)]);
  };
  walk(report, '');
  const width = Math.max(...rows.map(([path]) => path.length));
  return rows.map(([path, value]) => `  ${path.padEnd(width)}  ${value}`);
}
