import { Router } from 'express';

/** The outcome of one readiness check. */
export interface CheckResult {
  ok: boolean;
  /** Why it failed (safe to show: no secrets, no connection strings). */
  reason?: string;
  /** Extra facts, e.g. pending migration names. */
  details?: Record<string, unknown>;
}

/** A named readiness check; it must resolve quickly and never throw for an expected failure. */
export type ReadinessCheck = () => Promise<CheckResult>;

/** What `/readyz` reports. */
export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckResult>;
}

/** Options for the readiness probe. */
export interface ReadinessOptions {
  /** The checks, by name (e.g. database, migrations, vault). */
  checks: Record<string, ReadinessCheck>;
  /** Longest time one check may take before it counts as failed (default 2000 ms). */
  timeoutMs?: number;
}

/**
 * The readiness state of a process: its checks, plus a draining flag set at shutdown so `/readyz`
 * turns 503 at once and the load balancer stops sending traffic.
 */
export class Readiness {
  private draining = false;
  private readonly checks: Record<string, ReadinessCheck>;
  private readonly timeoutMs: number;

  constructor({ checks, timeoutMs = 2000 }: ReadinessOptions) {
    this.checks = checks;
    this.timeoutMs = timeoutMs;
  }

  /** Marks the process as shutting down: every later report is not ready. */
  startDraining(): void {
    this.draining = true;
  }

  /** True once shutdown has begun. */
  isDraining(): boolean {
    return this.draining;
  }

  /** Runs every check (in parallel, each bounded by the timeout). */
  async report(): Promise<ReadinessReport> {
    const checks: Record<string, CheckResult> = {};
    if (this.draining) checks['shutdown'] = { ok: false, reason: 'shutting down' };
    const entries = Object.entries(this.checks);
    const results = await Promise.all(entries.map(([, check]) => this.runCheck(check)));
    entries.forEach(([name], i) => {
      checks[name] = results[i] ?? { ok: false, reason: 'check did not run' };
    });
    const ready = Object.values(checks).every((c) => c.ok);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  private async runCheck(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `check timed out after ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      return await Promise.race([
        check().catch((error: unknown) => ({
          ok: false,
          reason: error instanceof Error ? error.message : 'check failed',
        })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `GET /healthz` (liveness: no auth, no DB) and `GET /readyz` (200 ready / 503 with the reasons). */
export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/healthz', function liveness(_req, res) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async function readinessProbe(_req, res) {
    const report = await readiness.report();
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  return router;
}
