import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createPriorityGovernor, lowerThreadPriority, type ThreadPolicy } from './thread-priority';

/** Nice value and scheduling policy (0 SCHED_OTHER, 5 SCHED_IDLE) of each thread of this process (Linux /proc). */
function threadsOfThisProcess(): Map<number, { nice: number; policy: number }> {
  const threads = new Map<number, { nice: number; policy: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(Number(tid), { nice: Number(fields[16]), policy: Number(fields[38]) });
  }
  return threads;
}

const linux = process.platform === 'linux';
const hasChrt = (() => {
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const SCHED_IDLE = 5;

describe('lowerThreadPriority', () => {
  (linux && hasChrt ? it : it.skip)('lowers the calling thread alone (nice and SCHED_IDLE), not its process', async () => {
    const before = threadsOfThisProcess();
    const main = before.get(process.pid) as { nice: number; policy: number };
    const source = join(__dirname, 'thread-priority.ts');
    const register = require.resolve('@swc-node/register', { paths: [__dirname] });
    const worker = new Worker(
      `require(${JSON.stringify(register)});
       const { parentPort } = require('node:worker_threads');
       require(${JSON.stringify(source)}).lowerThreadPriority(7, true).then((priority) => parentPort.postMessage(priority));
       parentPort.once('message', () => process.exit(0));`,
      { eval: true },
    );
    try {
      const priority = await new Promise<{ tid: number; nice: number; policy: ThreadPolicy }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(priority).toEqual({ tid: expect.any(Number), nice: Math.min(19, main.nice + 7), policy: 'idle' });
      const after = threadsOfThisProcess();
      expect(after.get(priority.tid)).toEqual({ nice: priority.nice, policy: SCHED_IDLE });
      expect(after.get(process.pid)).toEqual(main);
      for (const [tid, state] of after) if (tid !== priority.tid && before.has(tid)) expect(state).toEqual(before.get(tid));
    } finally {
      worker.postMessage('exit');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });

  it('changes nothing with no increment and no idle policy', async () => {
    const before = threadsOfThisProcess().get(process.pid);
    const result = await lowerThreadPriority(0, false);
    if (linux) expect(result).toEqual({ tid: process.pid, nice: before?.nice, policy: 'normal' });
    else expect(result).toBeUndefined();
    expect(threadsOfThisProcess().get(process.pid)).toEqual(before);
  });
});

describe('createPriorityGovernor', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick'] }));
  afterEach(() => jest.useRealTimers());

  const setup = (starvedAfterMs = 250, holdMs = 2000) => {
    const calls: ThreadPolicy[] = [];
    const governor = createPriorityGovernor({
      starvedAfterMs,
      holdMs,
      setPolicy: async (policy) => {
        calls.push(policy);
        return true;
      },
    });
    return { calls, governor };
  };
  const settle = () => Promise.resolve().then(() => undefined);

  it('lifts a thread that leaves work unanswered for starvedAfterMs back to normal', async () => {
    const { calls, governor } = setup();
    governor.sent(1);
    jest.advanceTimersByTime(249);
    expect(calls).toEqual([]);
    jest.advanceTimersByTime(1);
    await settle();
    expect(calls).toEqual(['normal']);
    expect(governor.policy).toBe('normal');
    governor.stop();
  });

  it('leaves a thread that keeps answering idle, however long the work goes on', async () => {
    const { calls, governor } = setup();
    for (let i = 0; i < 50; i += 1) {
      governor.sent(1);
      jest.advanceTimersByTime(200);
      governor.answered(0);
    }
    await settle();
    expect(calls).toEqual([]);
    expect(governor.policy).toBe('idle');
    governor.stop();
  });

  it('returns to idle only after holdMs at normal, at a moment with nothing pending', async () => {
    const { calls, governor } = setup();
    const start = performance.now();
    governor.sent(1);
    jest.advanceTimersByTime(250);
    await settle();
    expect(governor.policy).toBe('normal');
    governor.answered(0); // caught up at once: too early to go back
    await settle();
    expect(calls).toEqual(['normal']);
    jest.advanceTimersByTime(2000);
    governor.sent(1);
    governor.answered(1); // still busy
    await settle();
    expect(calls).toEqual(['normal']);
    governor.answered(0);
    await settle();
    expect(calls).toEqual(['normal', 'idle']);
    expect(governor.policy).toBe('idle');
    expect(performance.now() - start).toBeGreaterThanOrEqual(2000);
    governor.stop();
  });

  it('changes nothing once stopped, and keeps its policy when a change fails', async () => {
    const failing = createPriorityGovernor({ setPolicy: async () => false });
    failing.sent(1);
    jest.advanceTimersByTime(250);
    await settle();
    expect(failing.policy).toBe('idle');
    failing.stop();

    const { calls, governor } = setup();
    governor.sent(1);
    governor.stop();
    jest.advanceTimersByTime(1000);
    await settle();
    expect(calls).toEqual([]);
  });
});
