import { connect, type Socket } from 'node:net';

/** What a raw HTTP/1.1 client saw on one connection. */
export interface RawExchange {
  /** The status of the first response ('' when none came). */
  readonly status: number;
  /** Everything the server sent. */
  readonly text: string;
  /** ms from connecting until the server closed the connection (undefined while it is open). */
  readonly closedAfterMs: number | undefined;
}

/** A raw connection to `url`'s host and port, for framing no HTTP client would send. */
export interface RawConnection {
  readonly socket: Socket;
  write(text: string): void;
  /** Resolves once the server closed the connection, or after `timeoutMs` (then `closedAfterMs` is undefined). */
  closed(timeoutMs: number): Promise<RawExchange>;
  destroy(): void;
}

/** Opens a raw TCP connection to the server at `url`. */
export async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const openedAt = performance.now();
  let text = '';
  let closedAt: number | undefined;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset after the response is a close like any other here
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = performance.now();
      resolve();
    }),
  );
  const exchange = (): RawExchange => ({
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
    text,
    closedAfterMs: closedAt === undefined ? undefined : closedAt - openedAt,
  });
  return {
    socket,
    write: (chunk) => {
      if (!socket.destroyed) socket.write(chunk);
    },
    async closed(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      return exchange();
    },
    destroy: () => socket.destroy(),
  };
}
