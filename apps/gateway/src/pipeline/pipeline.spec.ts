import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@navplane/core';
import { Pipeline, Refusal, type Exchange, type Step } from './pipeline';

const exchange: Exchange = { req: {} as IncomingMessage, res: {} as ServerResponse };

interface Start {
  n: number;
}
const addA: Step<Start, { a: string }> = { name: 'a', run: (c) => ({ a: `a${c.n}` }) };
const addB: Step<Start & { a: string }, { b: string }> = { name: 'b', run: (c) => Promise.resolve({ b: `${c.a}b` }) };
const addC: Step<Start & { b: string }, { c: number }> = { name: 'c', run: (c) => ({ c: c.b.length }) };

function run<C extends Start>(pipeline: Pipeline<Start, C>, start: Start) {
  return new Promise<{ done?: C; refused?: AppError; context: Start; sync: boolean }>((resolve) => {
    let settled = false;
    const handle = pipeline.end(
      (done) => {
        settled = true;
        resolve({ done, context: start, sync });
      },
      (refused, context) => {
        settled = true;
        resolve({ refused, context, sync });
      },
    );
    let sync = true;
    handle(start, exchange);
    sync = settled;
  });
}

describe('Pipeline', () => {
  it('runs steps in order on one context, each adding its fields', async () => {
    const { done } = await run(Pipeline.begin<Start>().then(addA).then(addB).then(addC), { n: 1 });
    expect(done).toEqual({ n: 1, a: 'a1', b: 'a1b', c: 3 });
  });

  it('stays synchronous while every step is (no promise per request on a warm path)', async () => {
    expect((await run(Pipeline.begin<Start>().then(addA), { n: 1 })).sync).toBe(true);
    expect((await run(Pipeline.begin<Start>().then(addA).then(addB), { n: 1 })).sync).toBe(false);
  });

  it('checks the order at compile time', () => {
    // @ts-expect-error addB needs `a`, which no earlier step adds
    Pipeline.begin<Start>().then(addB);
    // @ts-expect-error addC needs `b`
    Pipeline.begin<Start>().then(addA).then(addC);
    expect(true).toBe(true);
  });

  it('stops at a refusal, keeping what a Refusal says it learned', async () => {
    const refuse: Step<Start & { a: string }, { key: string }> = {
      name: 'refuse',
      run: () => new Refusal<{ key: string }>(new AppError('org_disabled', 'off'), { key: 'k1' }),
    };
    const after = jest.fn(() => ({}));
    const { refused, context } = await run(Pipeline.begin<Start>().then(addA).then(refuse).then({ name: 'after', run: after }), { n: 2 });
    expect(refused?.code).toBe('org_disabled');
    expect(context).toEqual({ n: 2, a: 'a2', key: 'k1' });
    expect(after).not.toHaveBeenCalled();

    const plain: Step<Start, object> = { name: 'plain', run: () => Promise.resolve(new AppError('permission_denied', 'no')) };
    expect((await run(Pipeline.begin<Start>().then(plain), { n: 3 })).refused?.code).toBe('permission_denied');
  });

  it('turns a thrown or rejected step into internal_error, never an unhandled rejection', async () => {
    const throws: Step<Start, object> = {
      name: 'throws',
      run: () => {
        throw new Error('bug');
      },
    };
    const rejects: Step<Start, object> = { name: 'rejects', run: () => Promise.reject(new Error('bug')) };
    for (const step of [throws, rejects]) {
      const { refused } = await run(Pipeline.begin<Start>().then(step), { n: 0 });
      expect(refused?.code).toBe('internal_error');
      expect((refused?.cause as Error).message).toBe('bug');
    }
  });
});
