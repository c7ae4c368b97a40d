import WebSocket from 'ws';

/** The ws:// URL of a path on the gateway at `httpUrl`. */
export const wsUrl = (httpUrl: string, path: string) => `${httpUrl.replace(/^http/, 'ws')}${path}`;

/** A message a test client received. */
export interface Received {
  data: Buffer;
  isBinary: boolean;
}

/** Messages a client received, queued from the start (the first can arrive with the handshake's response). */
const inboxes = new WeakMap<WebSocket, { queue: Received[]; waiters: Array<(message: Received) => void> }>();

/** A ws client that resolves once open (or rejects with the refusal's status and body). */
export function open(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, perMessageDeflate: false });
    const inbox = { queue: [] as Received[], waiters: [] as Array<(message: Received) => void> };
    inboxes.set(socket, inbox);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const waiter = inbox.waiters.shift();
      if (waiter === undefined) inbox.queue.push({ data, isBinary });
      else waiter({ data, isBinary });
    });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () =>
        reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })),
      );
    });
    socket.once('error', reject);
  });
}

/** A refused upgrade: status, body and headers. */
export interface Refused {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Expects the upgrade to be refused; returns the refusal. */
export async function refused(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Refused> {
  const outcome = await open(url, options).then(
    (socket) => {
      socket.terminate();
      throw new Error('the upgrade was accepted');
    },
    (error: unknown) => error as Refused,
  );
  return outcome;
}

/** The next message, with its type. */
export function nextMessage(socket: WebSocket): Promise<Received> {
  const inbox = inboxes.get(socket);
  if (inbox === undefined) throw new Error('not a test client');
  const queued = inbox.queue.shift();
  return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => inbox.waiters.push(resolve));
}

/** Messages until one whose JSON `type` is `type`. */
export async function untilEvent(socket: WebSocket, type: string): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  for (;;) {
    const { data } = await nextMessage(socket);
    const event = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    events.push(event);
    if (event['type'] === type) return events;
  }
}

/** Resolves with the close code and reason. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: '' });
  return new Promise((resolve) =>
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

/** Polls `predicate` every 10 ms until it holds (rejects after `timeoutMs`). */
export async function until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
