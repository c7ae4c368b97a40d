import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread alone by `increment` nice levels (capped at 19); returns the nice
 * value now in effect, or undefined where that is not possible. Linux only: a thread is a task there, and
 * setpriority(2) on its id applies to that thread, not to its process (`/proc/thread-self` names the id). Raising
 * the nice value never needs a privilege; elsewhere this does nothing.
 */
export function lowerThreadPriority(increment: number): number | undefined {
  if (process.platform !== 'linux' || !(increment > 0)) return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    const nice = Math.min(19, getPriority(tid) + Math.trunc(increment));
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
