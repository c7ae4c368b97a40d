import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

import { lowerThreadPriority, threadNiceValues } from './thread-priority';

const linux = process.platform === 'linux';

describe('lowerThreadPriority', () => {
  (linux ? it : it.skip)('lowers the calling thread alone, not its process', async () => {
    const before = threadNiceValues();
    const mainNice = before.get(process.pid);
    if (mainNice === undefined) throw new Error('no nice value for the main thread');
    expect(mainNice + 7).toBeLessThanOrEqual(19); // room to see the change (values cap at 19)
    const source = join(__dirname, 'thread-priority.ts');
    const register = require.resolve('@swc-node/register', { paths: [__dirname] });
    const worker = new Worker(
      `require(${JSON.stringify(register)});
       const { parentPort } = require('node:worker_threads');
       const { readlinkSync } = require('node:fs');
       const nice = require(${JSON.stringify(source)}).lowerThreadPriority(7);
       parentPort.postMessage({ nice, tid: Number(readlinkSync('/proc/thread-self').split('/').pop()) });
       parentPort.once('message', () => process.exit(0));`,
      { eval: true },
    );
    try {
      const reply = await new Promise<{ nice: number; tid: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply.nice).toBe(mainNice + 7);
      const after = threadNiceValues();
      expect(after.get(reply.tid)).toBe(reply.nice);
      expect(after.get(process.pid)).toBe(mainNice);
      for (const [tid, nice] of after) if (tid !== reply.tid && before.has(tid)) expect(nice).toBe(before.get(tid));
    } finally {
      worker.postMessage('exit');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });

  it('does nothing for an increment of zero or less', () => {
    const before = threadNiceValues().get(process.pid);
    expect(lowerThreadPriority(0)).toBeUndefined();
    expect(lowerThreadPriority(-5)).toBeUndefined();
    expect(threadNiceValues().get(process.pid)).toBe(before);
  });
});
