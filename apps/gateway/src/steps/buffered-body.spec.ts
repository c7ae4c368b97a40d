import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { bufferedBody } from './buffered-body';

function message(chunks: string[], complete: boolean, contentLength?: number): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  if (contentLength !== undefined) req.headers['content-length'] = String(contentLength);
  for (const chunk of chunks) req.push(Buffer.from(chunk));
  if (complete) {
    req.complete = true;
    req.push(null);
  }
  return req;
}

describe('bufferedBody', () => {
  it.each([
    ['a complete body in one chunk', ['{"a":1}'], true, 100, '{"a":1}', undefined],
    ['a complete body in several chunks', ['{"a"', ':1', '}'], true, 100, '{"a":1}', undefined],
    ['an empty complete body', [], true, 100, '', undefined],
    ['a body still arriving', ['{"a"'], false, 100, undefined, undefined],
    ['a body still arriving, shorter than its Content-Length', ['{"a"'], false, 100, undefined, 7],
    ['every Content-Length byte, end of message not parsed yet', ['{"a"', ':1}'], false, 100, '{"a":1}', 7],
    ['a body over the limit', ['0123456789'], true, 5, undefined, undefined],
  ])('%s', (_name, chunks, complete, limit, expected, contentLength) => {
    const body = bufferedBody(message(chunks, complete, contentLength), limit);
    expect(body?.toString('utf8')).toBe(expected);
  });

  it('leaves a body someone else is already reading to them', () => {
    const req = message(['{"a":1}'], true);
    req.on('data', () => undefined);
    expect(bufferedBody(req, 100)).toBeUndefined();
  });

  it('lets the stream end normally after the read', async () => {
    const req = message(['x'], true);
    expect(bufferedBody(req, 100)?.toString()).toBe('x');
    await new Promise<void>((resolve) => req.once('end', resolve));
    expect(req.readableEnded).toBe(true);
  });
});
