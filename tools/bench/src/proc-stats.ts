// CPU time and resident memory of a bench child process, read from /proc (Linux). The figures cover the process
// and its live descendants, so they stay right whatever the gateway runs its work on (threads are part of the
// process; a forked worker would be a descendant). Only /proc is read: nothing here depends on the gateway.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat this module uses. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: the process's CPU, its threads' and its reaped children's. */
  cpuTicks: number;
}

/**
 * Parses /proc/<pid>/stat (proc(5)). The second field, the command name in parentheses, may itself hold spaces
 * and parentheses, so the fields are counted from the last ')'. After it: state (3), ppid (4) … utime (14),
 * stime (15), cutime (16), cstime (17).
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/${pid}/stat: field ${n} is not a number`);
    return value;
  };
  return { pid, ppid: field(4), cpuTicks: field(14) + field(15) + field(16) + field(17) };
}

/** VmRSS of /proc/<pid>/status (proc(5)), in KiB; undefined when the line is absent (a zombie has none). */
export function parseVmRssKib(text: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** `pid` and its live descendants, given every process's parent (pid → ppid). */
export function processTree(pid: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), child]);
  const tree: number[] = [];
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (tree.includes(next)) continue;
    tree.push(next);
    pending.push(...(children.get(next) ?? []));
  }
  return tree;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second for /proc times (`getconf CLK_TCK`; 100 when getconf is missing). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

const readStat = (pid: number): ProcStat | undefined => {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone between the listing and the read
  }
};

/** `pid` and its live descendants, from a scan of /proc. */
function liveTree(pid: number): ProcStat[] {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(stat.pid, stat);
  }
  if (!stats.has(pid)) throw new Error(`process ${pid} is not running`);
  const parents = new Map([...stats.values()].map((stat) => [stat.pid, stat.ppid] as const));
  return processTree(pid, parents).flatMap((member) => stats.get(member) ?? []);
}

/** CPU time used so far by `pid` and its descendants (user + system, threads included), in µs. */
export function processCpuMicros(pid: number): number {
  const ticks = liveTree(pid).reduce((sum, stat) => sum + stat.cpuTicks, 0);
  return (ticks * 1_000_000) / clockTicksPerSecond();
}

/** Resident memory of `pid` and its descendants (sum of VmRSS), in KiB. */
export function processRssKib(pid: number): number {
  return liveTree(pid).reduce((sum, stat) => {
    try {
      return sum + (parseVmRssKib(readFileSync(`/proc/${stat.pid}/status`, 'utf8')) ?? 0);
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * Waits until `pid` (and its descendants) use at most `share` of a core over `windowMs`, or `timeoutMs` passed;
 * resolves with the ms waited. Lets deferred work (a trace backlog after a saturation phase) finish, so it is
 * counted in that phase's CPU and does not spill into the next measurement.
 */
export async function waitForIdle(pid: number, options: { share?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const { share = 0.05, windowMs = 250, timeoutMs = 15_000 } = options;
  const started = performance.now();
  let before = processCpuMicros(pid);
  while (performance.now() - started < timeoutMs) {
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = processCpuMicros(pid);
    const elapsedUs = (performance.now() - t0) * 1000;
    if (after - before <= share * elapsedUs) break;
    before = after;
  }
  return performance.now() - started;
}
