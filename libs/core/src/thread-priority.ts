import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * The nice value of each thread of this process, by thread id (Linux /proc: field 19 of a task's `stat`); empty
 * elsewhere. Shows which threads run below the event loop's priority (the trace writer, the redaction workers).
 */
export function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  if (process.platform !== 'linux') return values;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After "pid (comm) ": the comm may hold spaces and parentheses, so split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    values.set(Number(tid), Number(fields[16]));
  }
  return values;
}
