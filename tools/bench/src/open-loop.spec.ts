import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLoopCount, openLoopSlices } from './open-loop';

/** A server that answers 200 (or `status`) and logs which server got each request, in arrival order. */
function target(name: string, log: string[], status = 200): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      log.push(name);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe('openLoopSlices', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('alternates whole slices A B B A, and counts only what follows each slice’s settle part', async () => {
    const log: string[] = [];
    const a = await target('A', log);
    const b = await target('B', log);
    servers.push(a.server, b.server);
    const req = { path: '/v1/chat/completions', headers: {}, body: '{}' };
    // 100 req/s, 0.2 s slices = 20 requests each, the first 5 (50 ms) unmeasured.
    const [ra, rb] = await openLoopSlices([a.url, b.url], req, { rate: 100, sliceSeconds: 0.2, slicesPerTarget: 2, settleMs: 50 });

    // Requests may overtake each other inside a slice, never across 200 ms slices: compare runs of 20.
    const runs = [0, 1, 2, 3].map((k) => log.slice(k * 20, k * 20 + 20));
    expect(runs.map((run) => [...new Set(run)])).toEqual([['A'], ['B'], ['B'], ['A']]);
    for (const result of [ra, rb]) {
      expect(result).toMatchObject({ sent: 30, ok: 30, errors: 0, settled: 10 });
      expect(result?.total).toHaveLength(30);
      expect(result?.firstByte).toHaveLength(30);
    }
  });

  it('counts a non-200 as an error of its target, and nothing of a settle-part error', async () => {
    const log: string[] = [];
    const ok = await target('ok', log);
    const failing = await target('failing', log, 500);
    servers.push(ok.server, failing.server);
    const req = { path: '/', headers: {}, body: '{}' };
    const [good, bad] = await openLoopSlices([ok.url, failing.url], req, {
      rate: 100,
      sliceSeconds: 0.1,
      slicesPerTarget: 1,
      settleMs: 30,
    });
    expect(good).toMatchObject({ sent: 7, ok: 7, errors: 0, settled: 3 });
    expect(bad).toMatchObject({ sent: 7, ok: 0, errors: 7, settled: 3 });
    expect(bad?.total).toEqual([]);
  });
});

describe('openLoopCount', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('cycles through the mix and counts answers per shape, failures apart', async () => {
    const log: string[] = [];
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        log.push(req.url ?? '');
        res.writeHead(req.url === '/fail' ? 500 : 200).end('{}');
      });
    });
    const url = await new Promise<string>((resolve) =>
      server?.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server?.address() as AddressInfo).port}`)),
    );
    const shape = (path: string) => ({ path, headers: {}, body: '{}' });
    // 100 req/s for 0.3 s = 30 requests: a, a, fail, a, a, fail, …
    const result = await openLoopCount(url, [shape('/a'), shape('/a'), shape('/fail')], 100, 0.3);
    expect(result).toEqual({ sent: 30, ok: 20, errors: 10, okByShape: [10, 10, 0] });
    expect(log.filter((path) => path === '/fail')).toHaveLength(10);
  });
});
