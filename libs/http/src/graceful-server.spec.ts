import { expect } from '@jest/globals';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { listen } from './graceful-server';

// The servers' settings come from the configuration; these tests need no particular timeouts.
const LOOPBACK = { host: '127.0.0.1', keepAliveTimeoutMs: 5_000, requestTimeoutMs: 60_000 };

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listen', () => {
  it('binds to a free port on loopback when asked for port 0', async () => {
    const running = await listen((_req, res) => res.end('hi'), { ...LOOPBACK, port: 0 });
    expect(running.port).toBeGreaterThan(0);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
    expect(await get(running.url)).toEqual({ status: 200, body: 'hi' });
    await running.close(1000);
  });

  it('lets an in-flight request finish, then stops accepting', async () => {
    const running = await listen((_req, res) => {
      setTimeout(() => res.end('done'), 200);
    }, LOOPBACK);
    const pending = get(running.url);
    await new Promise((r) => setTimeout(r, 50));
    expect(running.inFlight()).toBe(1);
    const closing = running.close(5000);
    await expect(pending).resolves.toEqual({ status: 200, body: 'done' });
    await expect(closing).resolves.toEqual({ forced: 0 });
    await expect(get(running.url)).rejects.toThrow();
  });

  it('cuts off requests that outlive the grace period', async () => {
    const running = await listen(() => {
      /* never answers */
    }, LOOPBACK);
    const pending = get(running.url).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await expect(running.close(150)).resolves.toEqual({ forced: 1 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('client errors', () => {
  it('answers malformed HTTP and oversized headers with the JSON error envelope, then closes', async () => {
    const running = await listen((_req, res) => res.end('ok'), { ...LOOPBACK, port: 0 });
    try {
      const send = (raw: string) =>
        new Promise<string>((resolve) => {
          const socket = connect(running.port, '127.0.0.1', () => socket.end(raw));
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
          socket.on('close', () => resolve(text));
          socket.on('error', () => undefined);
        });
      const bad = await send('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
      expect(bad).toMatch(/^HTTP\/1\.1 400 /);
      expect(bad.toLowerCase()).toContain('connection: close');
      expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', code: 'invalid_request' },
      });
      const big = await send(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(big).toMatch(/^HTTP\/1\.1 431 /);
      expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'request_header_fields_too_large' } });
    } finally {
      await running.close(100);
    }
  });
});
