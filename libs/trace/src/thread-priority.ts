import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** A thread's scheduling policy as NavPlane sets it: `idle` (SCHED_IDLE) or `normal` (SCHED_OTHER). */
export type ThreadPolicy = 'idle' | 'normal';

/** What lowerThreadPriority achieved for the calling thread. */
export interface ThreadPriority {
  /** The thread's id (Linux tid), for setThreadPolicy from another thread. */
  tid: number;
  /** The thread's nice value now. */
  nice: number;
  /** Its scheduling policy now. */
  policy: ThreadPolicy;
}

/** The calling thread's id (Linux: `/proc/thread-self` → `<pid>/task/<tid>`), or undefined. */
function currentThreadId(): number | undefined {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  return Number.isInteger(tid) && tid > 0 ? tid : undefined;
}

/**
 * Sets the scheduling policy of thread `tid` of this process through util-linux `chrt` (Node has no binding for
 * sched_setscheduler(2)); resolves true when it took effect. Asynchronous: the caller's thread never waits for it.
 */
export function setThreadPolicy(tid: number, policy: ThreadPolicy): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('chrt', [policy === 'idle' ? '--idle' : '--other', '--pid', '0', String(tid)], { timeout: 5_000 }, (error) =>
      resolve(error === null),
    );
  });
}

/**
 * Makes the calling thread background work, for that thread alone (Linux, where a thread is a task: setpriority(2)
 * and sched_setscheduler(2) on its id leave the rest of the process alone):
 *
 * - its nice value goes up by `niceIncrement` (capped at 19);
 * - with `idlePolicy`, its scheduling policy becomes SCHED_IDLE (through `chrt`): it runs when no normal thread of
 *   the machine wants the CPU, and a normal thread that wakes up preempts it at once. A high nice value alone
 *   does not give that: the scheduler still lets a thread that was picked run out part of its time slice before a
 *   waking request handler gets the CPU.
 *
 * Lowering a priority needs no privilege. Returns what is in effect, or undefined off Linux or when the thread id
 * cannot be read; without `chrt` the nice value is the only change.
 */
export async function lowerThreadPriority(niceIncrement: number, idlePolicy = false): Promise<ThreadPriority | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = currentThreadId();
    if (tid === undefined) return undefined;
    if (niceIncrement > 0) setPriority(tid, Math.min(19, getPriority(tid) + Math.trunc(niceIncrement)));
    const policy: ThreadPolicy = idlePolicy && (await setThreadPolicy(tid, 'idle')) ? 'idle' : 'normal';
    return { tid, nice: getPriority(tid), policy };
  } catch {
    return undefined;
  }
}

/** Options of createPriorityGovernor. */
export interface PriorityGovernorOptions {
  /** Sets the background thread's policy (setThreadPolicy on its tid). */
  setPolicy: (policy: ThreadPolicy) => Promise<boolean>;
  /** Work pending this long with no answer means the idle thread is starved: it goes back to `normal` (default 250 ms). */
  starvedAfterMs?: number;
  /** Least time back at `normal` before an idle moment returns it to `idle` (default 2000 ms). */
  holdMs?: number;
}

/** Keeps a SCHED_IDLE worker thread from starving; see createPriorityGovernor. */
export interface PriorityGovernor {
  /** The thread's policy now (as far as this governor set it). */
  readonly policy: ThreadPolicy;
  /** Work was handed to the thread (`pending` requests now outstanding). */
  sent(pending: number): void;
  /** The thread answered a request (`pending` requests still outstanding). */
  answered(pending: number): void;
  /** Stops the timer; no policy change is made afterwards (the thread is gone). */
  stop(): void;
}

/**
 * The safety valve of a SCHED_IDLE worker: on a machine whose CPU is saturated by normal threads (a gateway
 * overloaded on one core), an idle thread would never run and its work — trace batches — would pile up until
 * dropped. When requests to the thread go `starvedAfterMs` without an answer, the governor puts the thread back
 * on the normal policy; once it has been normal for `holdMs` and has nothing pending, it goes idle again.
 * Runs on the thread that hands the work over (which is never the starved one).
 */
export function createPriorityGovernor(options: PriorityGovernorOptions): PriorityGovernor {
  const starvedAfterMs = options.starvedAfterMs ?? 250;
  const holdMs = options.holdMs ?? 2000;
  let policy: ThreadPolicy = 'idle';
  let normalSince = 0;
  let changing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const change = (next: ThreadPolicy) => {
    if (stopped || changing || policy === next) return;
    changing = true;
    void options.setPolicy(next).then((ok) => {
      changing = false;
      if (!ok) return;
      policy = next;
      if (next === 'normal') normalSince = performance.now();
    });
  };
  const watch = (pending: number) => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === 0 || policy !== 'idle') return;
    timer = setTimeout(() => {
      timer = undefined;
      change('normal');
    }, starvedAfterMs);
    timer.unref();
  };

  return {
    get policy() {
      return policy;
    },
    sent(pending) {
      if (timer === undefined) watch(pending);
    },
    answered(pending) {
      watch(pending);
      if (pending === 0 && policy === 'normal' && performance.now() - normalSince >= holdMs) change('idle');
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
